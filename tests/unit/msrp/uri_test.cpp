#include <gtest/gtest.h>

#include <string>

#include "im/msrp/uri.hpp"

namespace {

using namespace im::msrp;

Uri parsed(std::string_view text)
{
    auto uri = parse_uri(text);
    EXPECT_TRUE(uri.ok()) << text << ": " << (uri.ok() ? "" : uri.error().reason);
    return uri.ok() ? uri.value() : Uri{};
}

std::string uri_error(std::string_view text)
{
    auto uri = parse_uri(text);
    EXPECT_FALSE(uri.ok()) << "unexpectedly parsed: " << text;
    if (uri.ok()) return {};
    EXPECT_EQ(uri.error().kind, ErrorKind::malformed_uri) << text;
    return uri.error().reason;
}

}  // namespace

TEST(MsrpUri, ParsesTheRfcExample)
{
    Uri uri = parsed("msrp://host.example.com:8493/asfd34;tcp");
    EXPECT_FALSE(uri.secure);
    EXPECT_EQ(uri.userinfo, "");
    EXPECT_EQ(uri.host, "host.example.com");
    EXPECT_EQ(uri.port, 8493);
    EXPECT_EQ(uri.session_id, "asfd34");
    EXPECT_EQ(uri.transport, "tcp");
    EXPECT_TRUE(uri.params.empty());
}

TEST(MsrpUri, ParsesRelayUrisWithUserinfoAndWithoutPortOrSession)
{
    Uri uri = parsed("msrps://alice@intra.example.com;tcp");
    EXPECT_TRUE(uri.secure);
    EXPECT_EQ(uri.userinfo, "alice");
    EXPECT_EQ(uri.host, "intra.example.com");
    EXPECT_FALSE(uri.port.has_value());
    EXPECT_EQ(uri.session_id, "");
}

TEST(MsrpUri, ParsesAddressesSessionIdsAndParameters)
{
    Uri v4 = parsed("msrp://192.0.2.1:2855/a+b=c/d-e.f_g~h;tcp");
    EXPECT_EQ(v4.host, "192.0.2.1");
    EXPECT_EQ(v4.session_id, "a+b=c/d-e.f_g~h");

    Uri v6 = parsed("msrp://[2001:db8::1]:2855/s1;tcp");
    EXPECT_EQ(v6.host, "[2001:db8::1]");
    EXPECT_EQ(v6.port, 2855);

    Uri params = parsed("msrp://h.example.com:1/s;tcp;foo=bar;flag;x=1");
    ASSERT_EQ(params.params.size(), 3u);
    EXPECT_EQ(params.params[0], (UriParam{"foo", "bar"}));
    EXPECT_EQ(params.params[1], (UriParam{"flag", std::nullopt}));
    EXPECT_EQ(params.params[2], (UriParam{"x", "1"}));

    Uri other_transport = parsed("MSRPS://H.Example.COM:1/s;WS");
    EXPECT_TRUE(other_transport.secure);
    EXPECT_EQ(other_transport.host, "H.Example.COM");
    EXPECT_EQ(other_transport.transport, "WS");

    Uri escaped = parsed("msrp://user%20x@h%2Dx.example.com:1/s;tcp");
    EXPECT_EQ(escaped.userinfo, "user%20x");
    EXPECT_EQ(escaped.host, "h%2Dx.example.com");
}

TEST(MsrpUri, RejectsMalformedUris)
{
    const std::vector<std::string> bad = {
        "",
        "msrp:host.example.com:1/s;tcp",
        "http://host.example.com:1/s;tcp",
        "msrp://host.example.com:1/s",            // no transport
        "msrp://host.example.com:1/s;",           // empty transport
        "msrp://host.example.com:1/s;t-c-p",      // transport is alphanumeric
        "msrp://:1/s;tcp",                        // empty host
        "msrp:///s;tcp",
        "msrp://host.example.com:/s;tcp",         // empty port
        "msrp://host.example.com:70000/s;tcp",
        "msrp://host.example.com:12a/s;tcp",
        "msrp://host.example.com:1/;tcp",         // empty session-id
        "msrp://host.example.com:1/s!d;tcp",
        "msrp://host.example.com:1/s;tcp;",       // empty parameter
        "msrp://host.example.com:1/s;tcp;a=",
        "msrp://host.example.com:1/s;tcp;a=b=c",
        "msrp://host.example.com:1/s;tcp;a@b",
        "msrp://alice:secret@host.example.com:1/s;tcp",  // password
        "msrp://a@b@host.example.com:1/s;tcp",
        "msrp://ho st.example.com:1/s;tcp",
        "msrp://host%2.example.com:1/s;tcp",      // broken escape
        "msrp://host%zz.example.com:1/s;tcp",
        "msrp://192.0.2.1/s;tcp",                 // IP address without port
        "msrp://[2001:db8::1]/s;tcp",
        "msrp://[2001:db8::1:2855/s;tcp",         // unterminated literal
        "msrp://[]:1/s;tcp",
        "msrp://[vhost]:1/s;tcp",
    };
    for (const std::string &text : bad) uri_error(text);
    EXPECT_EQ(uri_error("msrp://alice:secret@host.example.com:1/s;tcp"), "userinfo must not carry a password");
    EXPECT_EQ(uri_error("msrp://192.0.2.1/s;tcp"), "an IP address needs a port");
}

TEST(MsrpUri, SerializesBackToTheSameText)
{
    for (std::string text : {"msrp://host.example.com:8493/asfd34;tcp", "msrps://alice@intra.example.com;tcp",
                             "msrp://[2001:db8::1]:2855/s1;tcp", "msrp://h.example.com:1/s;tcp;foo=bar;flag",
                             "msrps://relay.example.com;tcp"}) {
        EXPECT_EQ(to_string(parsed(text)), text);
    }
    // The scheme is normalized to lower case; everything else stays as written.
    EXPECT_EQ(to_string(parsed("MSRP://Host.Example.com:1/Sess;TCP")), "msrp://Host.Example.com:1/Sess;TCP");
}

TEST(MsrpUri, ComparesByTheRulesOfSection61)
{
    Uri base = parsed("msrp://host.example.com:8493/asfd34;tcp");
    EXPECT_TRUE(equivalent(base, parsed("MSRP://HOST.example.COM:8493/asfd34;TCP")));
    EXPECT_TRUE(equivalent(base, parsed("msrp://user@host.example.com:8493/asfd34;tcp")));  // userinfo ignored
    EXPECT_TRUE(equivalent(base, parsed("msrp://host.example.com:8493/asfd34;tcp;x=y")));   // other params ignored
    EXPECT_TRUE(equivalent(base, parsed("msrp://%68ost.example.com:8493/asfd34;tcp")));     // %68 is 'h'
    EXPECT_FALSE(equivalent(base, parsed("msrps://host.example.com:8493/asfd34;tcp")));
    EXPECT_FALSE(equivalent(base, parsed("msrp://host.example.com/asfd34;tcp")));      // port only in one
    EXPECT_FALSE(equivalent(base, parsed("msrp://host.example.com:8494/asfd34;tcp")));
    EXPECT_FALSE(equivalent(base, parsed("msrp://host.example.com:8493/ASFD34;tcp")));  // session-id is case-sensitive
    EXPECT_FALSE(equivalent(base, parsed("msrp://host.example.com:8493;tcp")));
    EXPECT_FALSE(equivalent(base, parsed("msrp://host.example.com:8493/asfd34;sctp")));
    EXPECT_FALSE(equivalent(base, parsed("msrp://other.example.com:8493/asfd34;tcp")));

    EXPECT_TRUE(equivalent(parsed("msrp://[2001:db8::1]:1/s;tcp"), parsed("msrp://[2001:DB8:0:0::1]:1/s;tcp")));
    EXPECT_FALSE(equivalent(parsed("msrp://[2001:db8::1]:1/s;tcp"), parsed("msrp://[2001:db8::2]:1/s;tcp")));
    EXPECT_TRUE(equivalent(parsed("msrp://192.0.2.1:1/s;tcp"), parsed("msrp://192.0.2.1:1/s;tcp")));
}

TEST(MsrpUri, PathsSplitOnSpaces)
{
    auto path = parse_path("msrps://relay.example.com:2855/r;tcp  msrp://bob.example.com:1/b;tcp");
    ASSERT_TRUE(path.ok());
    ASSERT_EQ(path.value().size(), 2u);
    EXPECT_EQ(path.value()[1].host, "bob.example.com");
    EXPECT_EQ(to_string(path.value()), "msrps://relay.example.com:2855/r;tcp msrp://bob.example.com:1/b;tcp");

    auto empty = parse_path("   ");
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().kind, ErrorKind::malformed_header);
    auto bad = parse_path("msrp://a.example.com:1/a;tcp bogus");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().kind, ErrorKind::malformed_uri);
}
