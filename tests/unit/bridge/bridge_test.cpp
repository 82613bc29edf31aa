#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "im/bridge.hpp"

namespace {
im_str_t s(const char *text) { return {text, static_cast<int>(std::strlen(text))}; }
}  // namespace

TEST(Bridge, RequestViewCarriesEveryField)
{
    im_sip_request_t in{};
    in.method = s("MESSAGE");
    in.request_uri = s("sip:bob@example.com");
    in.to_tag = s("");
    in.expires = s("30");
    in.has_expires = 1;
    in.date = s("Sat, 13 Nov 2010 23:29:00 GMT");
    in.asserted_identity[0] = s("<sip:alice@example.com>");
    in.asserted_identity_count = 1;
    in.accept_contact[0] = s("*;+g.oma.sip-im");
    in.accept_contact[1] = s("*;explicit");
    in.accept_contact_count = 2;
    in.source_ip = s("127.0.0.1");
    in.source_port = 5060;
    in.transport = s("udp");
    auto r = im::bridge::to_request(in);
    EXPECT_EQ(r.method, "MESSAGE");
    EXPECT_TRUE(r.initial());
    ASSERT_TRUE(r.expires);
    EXPECT_EQ(*r.expires, "30");
    EXPECT_EQ(r.date, "Sat, 13 Nov 2010 23:29:00 GMT");
    EXPECT_EQ(r.asserted_identities.size(), 1u);
    EXPECT_EQ(r.accept_contact.size(), 2u);
    EXPECT_EQ(r.source.port, 5060);
    EXPECT_TRUE(r.body.empty());
}

TEST(Bridge, CountsBeyondTheArrayAreClamped)
{
    im_sip_request_t in{};
    in.accept_contact_count = 1000;  // a lying host must not make us read past the array
    for (auto &value : in.accept_contact) value = s("*");
    EXPECT_EQ(im::bridge::to_request(in).accept_contact.size(), static_cast<size_t>(IM_MAX_HEADER_VALUES));
}

TEST(Bridge, ActionWithWarningAndHeaders)
{
    im::Action a = im::Action::reply(im::Verdict::reply(403, "Forbidden", "399 IM-serv \"why\""));
    a.reply_headers.push_back({"Expires", "0"});
    im_action_t out;
    ASSERT_TRUE(im::bridge::write_action(a, &out));
    EXPECT_EQ(out.reply_code, 403);
    EXPECT_STREQ(out.reply_reason, "Forbidden");
    EXPECT_STREQ(out.reply_headers, "Expires: 0\r\nWarning: 399 IM-serv \"why\"\r\n");

    im::Action forward;
    forward.request_uri = "sip:bob@example.com";
    forward.request_headers.push_back({"Server", "IM-serv/OMA1.0"});
    forward.next = im::Action::Next::Controlling;
    ASSERT_TRUE(im::bridge::write_action(forward, &out));
    EXPECT_EQ(out.reply_code, 0);
    EXPECT_EQ(out.next, IM_NEXT_CONTROLLING);
    EXPECT_STREQ(out.request_uri, "sip:bob@example.com");
    EXPECT_STREQ(out.request_headers, "Server: IM-serv/OMA1.0\r\n");
}

TEST(Bridge, OversizeActionBecomes500NotATruncatedHeader)
{
    im::Action a;
    a.request_headers.push_back({"X-Big", std::string(IM_ACTION_TEXT, 'x')});
    im_action_t out;
    EXPECT_FALSE(im::bridge::write_action(a, &out));
    EXPECT_EQ(out.reply_code, 500);
    EXPECT_STREQ(out.request_headers, "");
}

TEST(Bridge, CopyTextTruncatesAndTerminates)
{
    char buffer[4];
    im::bridge::copy_text("abcdef", buffer, sizeof buffer);
    EXPECT_STREQ(buffer, "abc");
}
