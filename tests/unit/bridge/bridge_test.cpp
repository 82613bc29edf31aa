#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

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

namespace {
std::string text(im_str_t s) { return std::string(im::bridge::view(s)); }

im::Action delivered(std::string request_uri)
{
    im::Action a;
    a.request_uri = std::move(request_uri);
    a.request_headers = {{"Server", "IM-serv/OMA1.0"}, {"Contact", "<sip:127.0.0.1:5070>;+g.oma.sip-im"}};
    return a;
}
}  // namespace

TEST(CopyVerdicts, DeliveredCopiesGetTheirAddressAndShareOneHeaderBlock)
{
    im::bridge::CopyVerdicts verdicts;
    im_copy_verdict_t bob, carol;
    verdicts.write(delivered("sip:bob@example.com"), &bob);
    verdicts.write(delivered("sip:carol@example.com"), &carol);
    EXPECT_EQ(bob.reply_code, 0);
    EXPECT_EQ(bob.rejection, IM_REJECT_NONE);
    EXPECT_EQ(text(bob.request_uri), "sip:bob@example.com");
    EXPECT_EQ(text(carol.request_uri), "sip:carol@example.com");
    EXPECT_EQ(text(bob.request_headers), "Server: IM-serv/OMA1.0\r\nContact: <sip:127.0.0.1:5070>;+g.oma.sip-im\r\n");
    EXPECT_EQ(bob.request_headers.s, carol.request_headers.s);  // kept once
    EXPECT_EQ(bob.reason.len, 0);
}

TEST(CopyVerdicts, TextsOutliveLaterWritesUntilTheNextBatch)
{
    im::bridge::CopyVerdicts verdicts;
    std::vector<im_copy_verdict_t> out(1000);
    for (std::size_t i = 0; i < out.size(); ++i) {
        im::Action a = delivered("sip:member" + std::to_string(i) + "@example.com");
        if (i % 3 == 0) a.request_headers.push_back({"X-Other", std::to_string(i % 2)});
        verdicts.write(a, &out[i]);
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        EXPECT_EQ(text(out[i].request_uri), "sip:member" + std::to_string(i) + "@example.com");
        EXPECT_EQ(text(out[i].request_headers).find("X-Other") != std::string::npos, i % 3 == 0) << i;
    }
    verdicts.clear();
    im_copy_verdict_t next;
    verdicts.write(delivered("sip:bob@example.com"), &next);
    EXPECT_EQ(text(next.request_uri), "sip:bob@example.com");
}

TEST(CopyVerdicts, RefusalsCarryCodeReasonAndWhyAndReadBackAsVerdicts)
{
    im::bridge::CopyVerdicts verdicts;
    im_copy_verdict_t offline, barred;
    verdicts.write(im::Action::reply(im::Verdict::reject(im::Rejection::not_registered, 480, "Temporarily Unavailable",
                                                         "399 IM-serv \"IM user not registered\"")),
                   &offline);
    verdicts.write(im::Action::reply(im::Verdict::reject(im::Rejection::barred, 603, "Decline")), &barred);
    EXPECT_EQ(offline.reply_code, 480);
    EXPECT_EQ(offline.rejection, IM_REJECT_not_registered);
    EXPECT_EQ(text(offline.reason), "Temporarily Unavailable");
    EXPECT_EQ(offline.request_uri.len, 0);
    EXPECT_EQ(offline.request_headers.len, 0);
    const im::Verdict v = im::bridge::refusal_of(barred);
    EXPECT_EQ(v.code, 603);
    EXPECT_EQ(v.reason, "Decline");
    EXPECT_EQ(v.rejection, im::Rejection::barred);

    im_copy_verdict_t failed;
    im::bridge::CopyVerdicts::write_internal_error(&failed);
    EXPECT_EQ(failed.reply_code, 500);
    EXPECT_EQ(text(failed.reason), "Server Internal Error");
}

TEST(CopyVerdicts, BatchPartsShareTheHeaderBlockAndPointAtTheCallersAddress)
{
    im::bridge::CopyVerdicts verdicts;
    const std::vector<im::Header> headers{{"Server", "IM-serv/OMA1.0"}, {"Contact", "<sip:127.0.0.1:5070>;+g.oma.sip-im"}};
    const std::string_view block = verdicts.keep_header_block(headers);
    EXPECT_EQ(block, "Server: IM-serv/OMA1.0\r\nContact: <sip:127.0.0.1:5070>;+g.oma.sip-im\r\n");
    EXPECT_EQ(verdicts.keep_header_block(headers).data(), block.data());  // the same block, kept once

    const std::string bob = "sip:bob@example.com";
    im_copy_verdict_t delivered, refused;
    im::bridge::CopyVerdicts::deliver(bob, block, &delivered);
    EXPECT_EQ(delivered.reply_code, 0);
    EXPECT_EQ(delivered.request_uri.s, bob.data());  // not copied: the caller keeps it
    EXPECT_EQ(text(delivered.request_headers), block);
    EXPECT_EQ(delivered.reason.len, 0);

    verdicts.refuse(im::Verdict::reject(im::Rejection::invisible, 480, "Temporarily Unavailable"), &refused);
    EXPECT_EQ(refused.reply_code, 480);
    EXPECT_EQ(refused.rejection, IM_REJECT_invisible);
    EXPECT_EQ(text(refused.reason), "Temporarily Unavailable");
    EXPECT_EQ(refused.request_uri.len, 0);
    EXPECT_EQ(refused.request_headers.len, 0);
}

TEST(Bridge, CopyTextTruncatesAndTerminates)
{
    char buffer[4];
    im::bridge::copy_text("abcdef", buffer, sizeof buffer);
    EXPECT_STREQ(buffer, "abc");
}
