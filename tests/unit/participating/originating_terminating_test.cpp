#include <gtest/gtest.h>

#include "im/participating/originating.hpp"
#include "im/participating/terminating.hpp"
#include "im/store/memory_access_rule_store.hpp"
#include "im/store/memory_policy_store.hpp"
#include "im/store/memory_registration_store.hpp"
#include "im/store/memory_settings_store.hpp"
#include "request_fixture.hpp"

using im::Action;
using im::store::AccessAction;
using im::store::AccessKind;

namespace {

using im::test::FixedClock;

// One setting set, the others absent (as a document that carries only it).
im::store::ServiceSettings only(std::optional<bool> im::store::ServiceSettings::*field, bool value)
{
    im::store::ServiceSettings s;
    s.*field = value;
    return s;
}

std::string header(const Action &a, std::string_view name)
{
    for (const auto &h : a.request_headers)
        if (h.name == name) return h.value;
    return "";
}

class Participating : public ::testing::Test {
protected:
    Action originate(const im::sip::Request &r) { return im::participating::OriginatingProcedure(cfg, policies, settings, clock).handle(r); }
    Action terminate(const im::sip::Request &r)
    {
        return im::participating::TerminatingProcedure(cfg, {registrations, settings, policies, access, willingness}, clock).handle(r);
    }
    void register_bob() { registrations.upsert({"sip:bob@example.com", "", 2000, 900}); }
    void bob_publishes(im::store::ServiceSettings s) { settings.publish_initial("sip:bob@example.com", "<doc/>", s, 5000, 1000); }

    im::participating::Config cfg = im::test::participating_config();
    im::store::MemoryRegistrationStore registrations;
    im::store::MemorySettingsStore settings;
    im::store::MemoryPolicyStore policies;
    im::store::MemoryAccessRuleStore access;
    im::store::MemoryWillingnessStore willingness;
    FixedClock clock;
};

}  // namespace

TEST_F(Participating, OriginatingForwardsAnIdentifiedTaggedMessage)
{
    Action a = originate(im::test::core_message());
    EXPECT_TRUE(a.verdict.proceed());
    EXPECT_EQ(a.next, Action::Next::Forward);
}

TEST_F(Participating, Originating_6_2_2_1_Step5_ForwardedMessageCarriesTheFeatureTagInContact)
{
    Action a = originate(im::test::core_message());
    EXPECT_EQ(header(a, "Contact"), "<sip:127.0.0.1:5070>;+g.oma.sip-im");
    auto with_contact = im::test::core_message();
    with_contact.contact = "<sip:alice@192.0.2.1>;+g.oma.sip-im";
    EXPECT_EQ(header(originate(with_contact), "Contact"), "");  // the client's own stays
    const std::string sdp = im::test::msrp_offer();
    EXPECT_EQ(header(originate(im::test::core_invite(sdp)), "Contact"), "");
}

TEST_F(Participating, Originating_6_2_4_5_Step1_AnonymousGroupAdvertisementIs403)
{
    auto request = im::test::core_message();
    request.content_type = "application/vnd.IM.group-advertisement+xml";
    request.privacy = "id";
    Action a = originate(request);  // anonymity itself is allowed by the default policy
    EXPECT_EQ(a.verdict.code, 403);
    EXPECT_NE(a.verdict.warning.find("Group Advertisement cannot be anonymous"), std::string::npos);
    request.privacy = "";
    EXPECT_TRUE(originate(request).verdict.proceed());
}

TEST_F(Participating, Originating_6_2_4_5_Step2_UserWithoutPermissionIs403)
{
    im::store::Policy no_ads;
    no_ads.group_advertisement_allowed = false;
    policies.set("sip:alice@example.com", no_ads);
    auto request = im::test::core_message();
    request.content_type = "Application/VND.IM.Group-Advertisement+XML; charset=utf-8";
    EXPECT_EQ(originate(request).verdict.code, 403);
    request.content_type = "multipart/mixed;boundary=b";
    request.body = "--b\r\nContent-Type: application/vnd.IM.group-advertisement+xml\r\n\r\n<x/>\r\n"
                   "--b\r\nContent-Type: application/resource-lists+xml\r\nContent-Disposition: recipient-list\r\n\r\n"
                   "<resource-lists/>\r\n--b--\r\n";
    EXPECT_EQ(originate(request).verdict.code, 403);  // the message part of a URI-list MESSAGE
    request = im::test::core_message();
    EXPECT_TRUE(originate(request).verdict.proceed());  // other messages are not advertisements
}

TEST_F(Participating, History_6_2_2_1_Step4_TheServedUsersHistSettingAsksForTheHook)
{
    register_bob();
    EXPECT_FALSE(originate(im::test::core_message()).record_history);
    EXPECT_FALSE(terminate(im::test::core_message()).record_history);
    bob_publishes(only(&im::store::ServiceSettings::hist_active, true));
    EXPECT_TRUE(terminate(im::test::core_message()).record_history);    // bob receives
    EXPECT_FALSE(originate(im::test::core_message()).record_history);   // alice sends, her history is off
    settings.publish_initial("sip:alice@example.com", "<doc/>", only(&im::store::ServiceSettings::hist_active, true), 5000, 1000);
    EXPECT_TRUE(originate(im::test::core_message()).record_history);
}

TEST_F(Participating, Originating_6_2_2_1_Step1_MissingFeatureTagIs403)
{
    auto request = im::test::core_message();
    request.accept_contact = {"*;+g.poc.talkburst"};
    Action a = originate(request);
    EXPECT_EQ(a.verdict.code, 403);
    EXPECT_NE(a.verdict.warning.find("+g.oma.sip-im"), std::string::npos);
}

TEST_F(Participating, Originating_5_2_NoIdentityIs403)
{
    auto request = im::test::core_message();
    request.asserted_identities.clear();
    EXPECT_EQ(originate(request).verdict.code, 403);
}

TEST_F(Participating, Originating_6_2_2_1_Step2_UserNotAllowedIs403)
{
    policies.set("sip:alice@example.com", {false, std::nullopt, std::nullopt, true});
    Action a = originate(im::test::core_message());
    EXPECT_EQ(a.verdict.code, 403);
    EXPECT_NE(a.verdict.warning.find("not allowed to use IM"), std::string::npos);
}

TEST_F(Participating, Originating_6_2_2_1_Step3_SizeAndContentTypePolicy)
{
    policies.set("global", {true, 4, std::vector<std::string>{"text/*"}, true});
    Action big = originate(im::test::core_message());  // body "hello" is 5 bytes
    EXPECT_EQ(big.verdict.code, 403);
    EXPECT_NE(big.verdict.warning.find("exceeds the allowed 4 bytes"), std::string::npos);

    policies.set("global", {true, 100, std::vector<std::string>{"text/*"}, true});
    auto image = im::test::core_message();
    image.content_type = "image/png";
    Action wrong_type = originate(image);
    EXPECT_EQ(wrong_type.verdict.code, 403);
    EXPECT_NE(wrong_type.verdict.warning.find("image/png is not allowed"), std::string::npos);
    EXPECT_TRUE(originate(im::test::core_message()).verdict.proceed());

    // A per-user row overrides the global size limit.
    policies.set("sip:alice@example.com", {true, 2, std::nullopt, true});
    EXPECT_EQ(originate(im::test::core_message()).verdict.code, 403);
}

TEST_F(Participating, Originating_6_2_4_1_Step2_AnonymityNotAllowedIs403)
{
    auto request = im::test::core_message();
    request.privacy = "id";
    EXPECT_TRUE(originate(request).verdict.proceed());
    policies.set("global", {true, std::nullopt, std::nullopt, false});
    Action a = originate(request);
    EXPECT_EQ(a.verdict.code, 403);
    EXPECT_NE(a.verdict.warning.find("Anonymity"), std::string::npos);
}

TEST_F(Participating, Originating_6_2_4_1_Step3_MalformedExpiresIs400)
{
    auto request = im::test::core_message();
    request.expires = "soon";
    EXPECT_EQ(originate(request).verdict.code, 400);
    request.expires = "3600";
    EXPECT_TRUE(originate(request).verdict.proceed());
}

// The fixed clock says 1000 s after the epoch: Thu, 01 Jan 1970 00:16:40 GMT.
TEST_F(Participating, Originating_6_2_4_1_Step3_ExpiredByDatePlusExpiresIs408)
{
    auto request = im::test::core_message();
    request.date = "Thu, 01 Jan 1970 00:00:00 GMT";
    request.expires = "999";
    Action a = originate(request);
    EXPECT_EQ(a.verdict.code, 408);
    EXPECT_EQ(a.verdict.rejection, im::Rejection::expired);
    request.expires = "1000";
    EXPECT_TRUE(originate(request).verdict.proceed());
}

TEST_F(Participating, Originating_6_2_4_1_Step3_ExpiresWithoutDateCountsFromArrival)
{
    auto request = im::test::core_message();
    request.expires = "0";
    EXPECT_TRUE(originate(request).verdict.proceed());
}

TEST_F(Participating, Originating_6_2_4_1_Step3_MalformedDateWithExpiresIs400)
{
    auto request = im::test::core_message();
    request.expires = "60";
    request.date = "yesterday";
    EXPECT_EQ(originate(request).verdict.code, 400);
    request.expires.reset();
    EXPECT_TRUE(originate(request).verdict.proceed());  // a Date alone is not checked
}

TEST_F(Participating, Terminating_6_2_6_1_Step4_ExpiredMessageIs408)
{
    register_bob();
    auto request = im::test::core_message();
    request.date = "Thu, 01 Jan 1970 00:16:00 GMT";
    request.expires = "30";
    EXPECT_EQ(terminate(request).verdict.code, 408);
    request.expires = "60";
    EXPECT_TRUE(terminate(request).verdict.proceed());
}

TEST_F(Participating, Originating_6_2_4_1_Step4_ConferenceFactoryGoesToTheControllingFunction)
{
    auto request = im::test::core_message();
    request.request_uri = "sip:conference-factory@EXAMPLE.com;transport=udp";
    Action a = originate(request);
    EXPECT_TRUE(a.verdict.proceed());
    EXPECT_EQ(a.next, Action::Next::Controlling);
}

TEST_F(Participating, Terminating_6_2_8_4_DeliversWithServerAndContact)
{
    register_bob();
    auto request = im::test::core_message();
    request.request_uri = "sip:bob@example.com;user=phone";
    Action a = terminate(request);
    ASSERT_TRUE(a.verdict.proceed());
    EXPECT_EQ(a.request_uri, "sip:bob@example.com");
    EXPECT_EQ(header(a, "Server"), "IM-serv/OMA1.0");
    EXPECT_EQ(header(a, "Contact"), "<sip:127.0.0.1:5070>;+g.oma.sip-im");
}

TEST_F(Participating, TerminatingCheckOfAnAlreadyReducedAddressDecidesAsTheRequestUriWould)
{
    register_bob();
    const im::participating::TerminatingProcedure procedure(cfg, {registrations, settings, policies, access, willingness},
                                                            clock);
    const im::Originator alice{"sip:alice@example.com", false};
    auto request = im::test::core_message();
    request.request_uri = "sip:bob@example.com;user=phone";
    Action reduced = procedure.check_delivery(request, alice, "sip:bob@example.com");
    Action parsed = procedure.check_delivery(request, alice);
    ASSERT_TRUE(reduced.verdict.proceed());
    EXPECT_EQ(reduced.request_uri, parsed.request_uri);
    EXPECT_EQ(header(reduced, "Server"), header(parsed, "Server"));
    EXPECT_EQ(header(reduced, "Contact"), header(parsed, "Contact"));

    access.set("sip:bob@example.com", "sip:alice@example.com", AccessKind::pager, AccessAction::reject);
    EXPECT_EQ(procedure.check_delivery(request, alice, "sip:bob@example.com").verdict.code, 403);
    EXPECT_EQ(procedure.check_delivery(request, alice, "sip:carol@example.com").verdict.code, 404);  // never registered

    request.request_uri = "not a uri";
    EXPECT_EQ(procedure.check_delivery(request, alice).verdict.rejection, im::Rejection::malformed);
}

// A group MESSAGE's copies are checked with one prepare_delivery() and one
// admit() per recipient: each must decide as check_delivery() does.
TEST_F(Participating, PreparedChecksDecideEveryRecipientAsCheckDeliveryDoes)
{
    const im::participating::TerminatingProcedure procedure(cfg, {registrations, settings, policies, access, willingness},
                                                            clock);
    const im::Originator alice{"sip:alice@example.com", false};
    registrations.upsert({"sip:bob@example.com", "", 2000, 900});
    registrations.upsert({"sip:carol@example.com", "", 2000, 900});
    registrations.upsert({"sip:dave@example.com", "", 2000, 900});
    registrations.upsert({"sip:erin@example.com", "", 500, 400});  // expired: offline
    settings.publish_initial("sip:carol@example.com", "<doc/>", only(&im::store::ServiceSettings::ipab_active, true), 5000, 1000);
    settings.publish_initial("sip:dave@example.com", "<doc/>", only(&im::store::ServiceSettings::hist_active, true), 5000, 1000);
    access.set("sip:bob@example.com", "sip:mallory@example.com", AccessKind::pager, AccessAction::reject);
    willingness.set("sip:frank@example.com", false, 1000);
    registrations.upsert({"sip:frank@example.com", "", 2000, 900});

    auto request = im::test::core_message();
    const im::participating::DeliveryChecks checks = procedure.prepare_delivery(request);
    ASSERT_TRUE(checks.refusal.proceed());
    EXPECT_TRUE(checks.pager_message);
    for (const char *served : {"sip:bob@example.com", "sip:carol@example.com", "sip:dave@example.com",
                               "sip:erin@example.com", "sip:frank@example.com", "sip:nobody@example.com"}) {
        const Action alone = procedure.check_delivery(request, alice, served);
        const im::participating::Admission admitted = procedure.admit(request, checks, alice, served);
        EXPECT_EQ(admitted.verdict.code, alone.verdict.code) << served;
        EXPECT_EQ(admitted.verdict.rejection, alone.verdict.rejection) << served;
        EXPECT_EQ(admitted.record_history, alone.record_history) << served;
        if (alone.verdict.proceed()) {
            EXPECT_EQ(checks.headers, alone.request_headers) << served;
        }
    }
    EXPECT_TRUE(procedure.admit(request, checks, alice, "sip:dave@example.com").record_history);
    EXPECT_EQ(procedure.admit(request, checks, alice, "sip:carol@example.com").verdict.code, 603);
    EXPECT_EQ(procedure.admit(request, checks, alice, "sip:erin@example.com").verdict.code, 480);
    EXPECT_EQ(procedure.admit(request, checks, alice, "sip:nobody@example.com").verdict.code, 404);

    // A request-level failure (here: expired by Date + Expires) comes after
    // each recipient's own earlier steps, as in check_delivery.
    request.date = "Thu, 01 Jan 1970 00:16:00 GMT";
    request.expires = "30";
    const im::participating::DeliveryChecks expired = procedure.prepare_delivery(request);
    EXPECT_EQ(procedure.admit(request, expired, alice, "sip:bob@example.com").verdict.code, 408);
    EXPECT_EQ(procedure.admit(request, expired, alice, "sip:carol@example.com").verdict.code, 603);  // barred first
}

// A batch of copies reads each recipient's rows once (store::UserRows) and
// admits from them: the same decisions as admit() asking the stores.
TEST_F(Participating, AdmitFromABatchsRowsDecidesAsAdmitFromTheStores)
{
    const im::participating::TerminatingProcedure procedure(cfg, {registrations, settings, policies, access, willingness},
                                                            clock);
    const im::Originator alice{"sip:alice@example.com", false};
    for (const char *user : {"sip:bob@example.com", "sip:carol@example.com", "sip:dave@example.com",
                             "sip:erin@example.com", "sip:frank@example.com", "sip:grace@example.com"})
        registrations.upsert({user, "", 2000, 900});
    registrations.upsert({"sip:erin@example.com", "", 500, 400});  // expired: offline
    settings.publish_initial("sip:carol@example.com", "<doc/>", only(&im::store::ServiceSettings::ipab_active, true), 5000, 1000);
    settings.publish_initial("sip:dave@example.com", "<doc/>", only(&im::store::ServiceSettings::hist_active, true), 5000, 1000);
    settings.publish_initial("sip:grace@example.com", "<doc/>", only(&im::store::ServiceSettings::isb_active, true), 5000, 1000);
    access.set("sip:bob@example.com", "*@example.com", AccessKind::pager, AccessAction::reject);
    access.set("sip:bob@example.com", "sip:alice@example.com", AccessKind::session, AccessAction::allow);
    access.set("sip:frank@example.com", "*", AccessKind::session, AccessAction::reject);
    policies.set("sip:dave@example.com", {true, 3, std::nullopt, true});  // "hello" is 5 bytes
    willingness.set("sip:frank@example.com", false, 1000);

    const std::string lmm = im::test::msrp_offer("a=sendonly", "a=filesize:3000\r\n");
    const std::string session = im::test::msrp_offer("a=sendrecv");
    for (const im::sip::Request &request : {im::test::core_message(), im::test::core_invite(lmm), im::test::core_invite(session)}) {
        const im::participating::DeliveryChecks checks = procedure.prepare_delivery(request);
        for (const std::string served : {"sip:bob@example.com", "sip:carol@example.com", "sip:dave@example.com",
                                         "sip:erin@example.com", "sip:frank@example.com", "sip:grace@example.com",
                                         "sip:nobody@example.com"}) {
            const std::optional<im::store::PublishedSettings> published = settings.find_active(served, clock.now());
            const im::store::EffectivePolicy policy = policies.effective(served);
            im::store::OwnerAccessRules rules;
            for (const im::store::AccessRule &rule : access.list(served)) rules.push_back({rule.peer, rule.kind, rule.action});
            const im::store::UserRows rows{published, policy, rules, willingness.willing(served)};

            const im::participating::Admission from_stores = procedure.admit(request, checks, alice, served);
            const im::participating::Admission from_rows = procedure.admit(request, checks, alice, served, rows);
            EXPECT_EQ(from_rows.verdict.code, from_stores.verdict.code) << request.method << " " << served;
            EXPECT_EQ(from_rows.verdict.rejection, from_stores.verdict.rejection) << request.method << " " << served;
            EXPECT_EQ(from_rows.record_history, from_stores.record_history) << request.method << " " << served;
        }
    }

    // The rows are what it reads: bob's say "unwilling", whatever the store says.
    const auto request = im::test::core_message();
    const im::participating::DeliveryChecks checks = procedure.prepare_delivery(request);
    const std::optional<im::store::PublishedSettings> none;
    const im::store::EffectivePolicy any;
    const im::store::OwnerAccessRules no_rules;
    EXPECT_TRUE(procedure.admit(request, checks, alice, "sip:carol@example.com", {none, any, no_rules, true}).verdict.proceed());
    EXPECT_EQ(procedure.admit(request, checks, alice, "sip:carol@example.com", {none, any, no_rules, false}).verdict.rejection,
              im::Rejection::unwilling);
}

TEST_F(Participating, TerminatingKeepsAnExistingContact)
{
    register_bob();
    auto request = im::test::core_message();
    request.contact = "<sip:alice@10.0.0.1>";
    EXPECT_EQ(header(terminate(request), "Contact"), "");
}

TEST_F(Participating, Terminating_6_2_6_1_Step1_PagerBarringIs603_SessionBarringOnlyForSessions)
{
    register_bob();
    bob_publishes(only(&im::store::ServiceSettings::isb_active, true));
    EXPECT_TRUE(terminate(im::test::core_message()).verdict.proceed());  // isb does not bar pager mode
    const std::string sdp = im::test::msrp_offer();
    EXPECT_EQ(terminate(im::test::core_invite(sdp)).verdict.code, 603);

    bob_publishes(only(&im::store::ServiceSettings::ipab_active, true));
    Action a = terminate(im::test::core_message());
    EXPECT_EQ(a.verdict.code, 603);
    EXPECT_NE(a.verdict.warning.find("pager mode"), std::string::npos);
}

TEST_F(Participating, Terminating_6_2_6_1_Step2_AccessListRejectIs403)
{
    register_bob();
    access.set("sip:bob@example.com", "*@example.com", AccessKind::pager, AccessAction::reject);
    EXPECT_EQ(terminate(im::test::core_message()).verdict.code, 403);
    access.set("sip:bob@example.com", "sip:alice@example.com", AccessKind::pager, AccessAction::allow);
    EXPECT_TRUE(terminate(im::test::core_message()).verdict.proceed());  // exact beats domain
    access.set("sip:bob@example.com", "sip:alice@example.com", AccessKind::session, AccessAction::reject);
    EXPECT_TRUE(terminate(im::test::core_message()).verdict.proceed());  // session rules leave pager mode alone
}

TEST_F(Participating, Terminating_6_2_6_1_Step3_ReceiverPolicyIs403)
{
    register_bob();
    policies.set("sip:bob@example.com", {true, 3, std::nullopt, true});
    EXPECT_EQ(terminate(im::test::core_message()).verdict.code, 403);
}

TEST_F(Participating, Terminating_UnknownAddressIs404)
{
    Action a = terminate(im::test::core_message());  // bob never registered
    EXPECT_EQ(a.verdict.code, 404);
    EXPECT_EQ(a.verdict.rejection, im::Rejection::not_found);
}

TEST_F(Participating, Terminating_6_2_6_1_Step5_6_OfflineOrInvisibleIs480)
{
    registrations.upsert({"sip:bob@example.com", "", 999, 900});  // registered once, expired before now
    EXPECT_EQ(terminate(im::test::core_message()).verdict.code, 480);
    register_bob();
    bob_publishes(only(&im::store::ServiceSettings::vis_status, false));
    Action a = terminate(im::test::core_message());
    EXPECT_EQ(a.verdict.code, 480);
    EXPECT_NE(a.verdict.warning.find("invisible"), std::string::npos);
}

TEST_F(Participating, TerminatingUntaggedOrUnidentifiedIs403)
{
    register_bob();
    auto untagged = im::test::core_message();
    untagged.accept_contact.clear();
    EXPECT_EQ(terminate(untagged).verdict.code, 403);
    auto stranger = im::test::core_message();
    stranger.source.ip = "10.9.9.9";
    EXPECT_EQ(terminate(stranger).verdict.code, 403);
}

TEST_F(Participating, Originating_6_2_3_1_Step4_SessionOfferChecked)
{
    EXPECT_EQ(originate(im::test::core_invite("")).verdict.code, 488);
    const std::string sdp = im::test::msrp_offer();
    auto no_contact = im::test::core_invite(sdp);
    no_contact.contact = "";
    EXPECT_EQ(originate(no_contact).verdict.code, 400);
    const std::string audio = "v=0\r\nm=audio 4000 RTP/AVP 0\r\n";
    EXPECT_EQ(originate(im::test::core_invite(audio)).verdict.code, 488);
    const std::string ok = im::test::msrp_offer();
    EXPECT_TRUE(originate(im::test::core_invite(ok)).verdict.proceed());
    policies.set("sip:alice@example.com", {true, std::nullopt, std::vector<std::string>{"image/*"}, true});
    Action a = originate(im::test::core_invite(ok));  // text/plain outside alice's policy
    EXPECT_EQ(a.verdict.code, 488);
    EXPECT_EQ(a.verdict.rejection, im::Rejection::media);
}

TEST_F(Participating, Terminating_6_2_3_1_Step4b_LargeMessageSessionIsPagerModeForBarring)
{
    register_bob();
    const std::string lmm = im::test::msrp_offer("a=sendonly", "a=filesize:3000\r\n");
    const std::string session = im::test::msrp_offer("a=sendrecv");
    bob_publishes(only(&im::store::ServiceSettings::isb_active, true));
    EXPECT_TRUE(terminate(im::test::core_invite(lmm)).verdict.proceed());  // isb bars sessions, not pager mode
    EXPECT_EQ(terminate(im::test::core_invite(session)).verdict.code, 603);
    bob_publishes(only(&im::store::ServiceSettings::ipab_active, true));
    EXPECT_EQ(terminate(im::test::core_invite(lmm)).verdict.code, 603);
    EXPECT_TRUE(terminate(im::test::core_invite(session)).verdict.proceed());
    bob_publishes({});
    access.set("sip:bob@example.com", "sip:alice@example.com", AccessKind::pager, AccessAction::reject);
    EXPECT_EQ(terminate(im::test::core_invite(lmm)).verdict.code, 403);
    EXPECT_TRUE(terminate(im::test::core_invite(session)).verdict.proceed());
    policies.set("sip:bob@example.com", {true, 2000, std::nullopt, true});
    EXPECT_EQ(terminate(im::test::core_invite(lmm)).verdict.code, 488);  // 3000 bytes over bob's 2000
}

TEST_F(Participating, Terminating_6_2_6_1_Step6_UnwillingUserIs480)
{
    register_bob();
    willingness.set("sip:bob@example.com", false, 1000);
    Action a = terminate(im::test::core_message());
    EXPECT_EQ(a.verdict.code, 480);
    EXPECT_EQ(a.verdict.rejection, im::Rejection::unwilling);
    willingness.set("sip:bob@example.com", true, 1000);
    EXPECT_TRUE(terminate(im::test::core_message()).verdict.proceed());
}
