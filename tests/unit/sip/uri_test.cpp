#include <gtest/gtest.h>

#include "im/sip/text.hpp"
#include "im/sip/uri.hpp"

using im::sip::aor_of;
using im::sip::parse_uri;
using im::sip::uri_of_name_addr;

TEST(SipUri, ParsesUserHostPortParams)
{
    auto uri = parse_uri("sip:alice@Example.COM:5070;transport=tcp?subject=x");
    ASSERT_TRUE(uri);
    EXPECT_EQ(uri->scheme, "sip");
    EXPECT_EQ(uri->user, "alice");
    EXPECT_EQ(uri->host, "example.com");
    EXPECT_EQ(uri->port, 5070);
    EXPECT_EQ(uri->params, ";transport=tcp");
    EXPECT_EQ(uri->aor(), "sip:alice@example.com");
}

TEST(SipUri, AorDropsPasswordAndKeepsUserCase)
{
    EXPECT_EQ(parse_uri("SIP:Alice:secret@host")->aor(), "sip:Alice@host");
}

TEST(SipUri, HostOnlyIpv6AndTel)
{
    EXPECT_EQ(parse_uri("sip:127.0.0.1:5070")->aor(), "sip:127.0.0.1");
    auto v6 = parse_uri("sips:bob@[2001:db8::1]:5061");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "[2001:db8::1]");
    EXPECT_EQ(v6->port, 5061);
    EXPECT_EQ(parse_uri("tel:+15551234;phone-context=x")->aor(), "tel:+15551234");
}

TEST(SipUri, RejectsMalformed)
{
    for (const char *bad : {"", "alice@example.com", ":x", "http://example.com", "sip:", "sip:a@", "sip:a@h:0",
                            "sip:a@h:99999", "sip:a@h:5x", "sip:a@[::1", "sip:a@ho st", "tel:"})
        EXPECT_FALSE(parse_uri(bad)) << bad;
}

TEST(SipUri, NameAddrForms)
{
    EXPECT_EQ(uri_of_name_addr("\"Alice <A>\" <sip:alice@example.com>;tag=1"), "sip:alice@example.com");
    EXPECT_EQ(uri_of_name_addr("<sip:bob@example.com;lr>"), "sip:bob@example.com;lr");
    EXPECT_EQ(uri_of_name_addr("sip:carol@example.com;tag=9"), "sip:carol@example.com");
    EXPECT_EQ(uri_of_name_addr("Alice <sip:unterminated"), "");
    EXPECT_EQ(aor_of("Bob <sip:Bob@EXAMPLE.com:5060>"), "sip:Bob@example.com");
    EXPECT_FALSE(aor_of("<mailto:x@y>"));
}

// aor_of builds the AOR without a Uri: it must say what parse_uri()->aor() says.
TEST(SipUri, AorOfAgreesWithParsedUri)
{
    for (const char *text : {"sip:alice@Example.COM:5070;transport=tcp?subject=x", "SIP:Alice:secret@host",
                             "sip:127.0.0.1:5070", "sips:bob@[2001:db8::1]:5061", "tel:+15551234;phone-context=x",
                             "TEL:+1", "Sips:x@H_1.Example-Net", "sip:a;b@h;c", "sip:%41@h", "", "sip:", "sip:a@",
                             "sip:a@h:0", "sip:a@[::1", "sip:a@ho st", "tel:", "http://example.com", "sip:a@h:5x"}) {
        const auto uri = parse_uri(text);
        const auto aor = aor_of(text);
        ASSERT_EQ(uri.has_value(), aor.has_value()) << text;
        if (uri) {
            EXPECT_EQ(uri->aor(), *aor) << text;
        }
    }
}

TEST(SipText, AsciiCaseHelpers)
{
    EXPECT_EQ(im::sip::to_lower("SIP:Alice@EXAMPLE.com-_0"), "sip:alice@example.com-_0");
    EXPECT_TRUE(im::sip::iequals("Accept-Contact", "accept-CONTACT"));
    EXPECT_FALSE(im::sip::iequals("a", "b"));
    EXPECT_FALSE(im::sip::iequals("a", "aa"));
    // Bytes outside ASCII are compared as they are, never folded.
    EXPECT_FALSE(im::sip::iequals("\xC4", "\xE4"));
    EXPECT_TRUE(im::sip::ascii_alnum('z') && im::sip::ascii_alnum('Q') && im::sip::ascii_alnum('7'));
    EXPECT_FALSE(im::sip::ascii_alnum('_') || im::sip::ascii_alnum('\xE4'));
}
