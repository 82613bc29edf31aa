// Spec 8.3 (CR 000/002): the group MESSAGE exploder, and each copy passing
// its recipient's terminating Participating Function (8.3.2.1).
#include <gtest/gtest.h>

#include "im/bridge.hpp"
#include "im/controlling/pager_exploder.hpp"
#include "im/controlling/recipient_checks.hpp"
#include "im/participating/terminating.hpp"
#include "im/store/memory_access_rule_store.hpp"
#include "im/store/memory_group_store.hpp"
#include "im/store/memory_policy_store.hpp"
#include "im/store/memory_registration_store.hpp"
#include "im/store/memory_settings_store.hpp"
#include "participating/request_fixture.hpp"

using im::controlling::CopyFate;
using im::controlling::ExplodeOutcome;

namespace {

constexpr const char *kGroup = "sip:friends@example.com";

im::controlling::ControllingConfig controlling_config()
{
    im::controlling::ControllingConfig c;
    c.identity = {*im::net::TrustedPeers::parse("127.0.0.1:5060"), false};
    c.conference_factory = "sip:conference-factory@example.com";
    return c;
}

class GroupMessage : public ::testing::Test {
protected:
    void SetUp() override
    {
        im::store::Group g;
        g.uri = kGroup;
        for (const char *m : {"sip:alice@example.com", "sip:bob@example.com", "sip:carol@example.com"})
            g.members.push_back({m});
        groups.create(g);
    }

    ExplodeOutcome to_group()
    {
        auto r = im::test::core_message();
        r.request_uri = kGroup;
        r.to_uri = kGroup;
        return exploder.handle(r);
    }

    // What the recipient's terminating function of this server says of a
    // copy, carried across the C bridge as im_controlling gets it. Views
    // into `outcome` and this fixture.
    im::controlling::CheckedCopy check(const ExplodeOutcome &outcome, std::size_t i)
    {
        im::controlling::CopyRequestStorage storage;
        const auto &copy = outcome.copies.at(i);
        const auto view = im::controlling::terminating_view(copy, *outcome.originator, storage);
        const im::participating::TerminatingProcedure terminating(pcfg, {registrations, settings, policies, access, willingness}, clock);
        verdicts.clear();
        verdicts.write(terminating.check_delivery(view, *outcome.originator), &verdict);
        return im::controlling::checked_copy(copy, verdict);
    }

    void register_user(const std::string &aor) { registrations.upsert({aor, "", 2000, 900}); }

    void allow_anonymity()
    {
        auto g = *groups.find(kGroup);
        g.anonymity_allowed = true;
        groups.update(g);
    }

    // A MESSAGE to the group whose sender asks for privacy (Privacy: id).
    ExplodeOutcome to_group_anonymously()
    {
        auto r = im::test::core_message();
        r.request_uri = kGroup;
        r.privacy = "id";
        return exploder.handle(r);
    }

    im::controlling::ControllingConfig ccfg = controlling_config();
    im::participating::Config pcfg = im::test::participating_config();
    im::store::MemoryGroupStore groups;
    im::controlling::PagerExploder exploder{ccfg, groups};
    im::store::MemoryRegistrationStore registrations;
    im::store::MemorySettingsStore settings;
    im::store::MemoryPolicyStore policies;
    im::store::MemoryAccessRuleStore access;
    im::store::MemoryWillingnessStore willingness;
    im::bridge::CopyVerdicts verdicts;
    im_copy_verdict_t verdict{};
    im::test::FixedClock clock;
};

}  // namespace

TEST_F(GroupMessage, EveryMemberButTheSenderGetsOneCopyWithTheOriginator)
{
    auto outcome = to_group();
    EXPECT_EQ(outcome.action.verdict.code, 202);
    ASSERT_EQ(outcome.copies.size(), 2u);
    EXPECT_EQ(outcome.copies[0].request_uri, "sip:bob@example.com");
    EXPECT_EQ(outcome.copies[1].request_uri, "sip:carol@example.com");
    ASSERT_TRUE(outcome.originator);
    EXPECT_EQ(outcome.originator->aor, "sip:alice@example.com");
    EXPECT_EQ(outcome.copies[0].content->content_type, "text/plain");
    EXPECT_NE(outcome.copies[0].content->headers.find("Accept-Contact: *;+g.oma.sip-im;require;explicit\r\n"), std::string::npos);
    EXPECT_NE(outcome.copies[0].content->headers.find("P-Asserted-Identity: <sip:alice@example.com>\r\n"), std::string::npos);
}

TEST_F(GroupMessage, RefusedMessageHasNoOriginatorAndNoCopies)
{
    auto r = im::test::core_message();
    r.request_uri = "sip:nobody@example.com";
    auto outcome = exploder.handle(r);
    EXPECT_EQ(outcome.action.verdict.code, 404);
    EXPECT_TRUE(outcome.copies.empty());
    EXPECT_FALSE(outcome.originator);
}

TEST_F(GroupMessage, RegisteredRecipientCopyIsDeliveredWithTheTerminatingHeaders)
{
    register_user("sip:bob@example.com");
    const auto outcome = to_group();
    auto checked = check(outcome, 0);
    EXPECT_EQ(checked.fate, CopyFate::deliver);
    EXPECT_EQ(checked.request_uri, "sip:bob@example.com");
    EXPECT_NE(checked.extra_headers.find("Server: "), std::string::npos);
    EXPECT_NE(checked.extra_headers.find("Contact: <sip:127.0.0.1:5070>;+g.oma.sip-im\r\n"), std::string::npos);
}

// tm's build_uac_req adds "Max-Forwards: 70" to a request unless its extra
// headers (at least 15 bytes) contain "Max-Forwards:", which it searches
// from their start for each copy: the copies carry tm's line first, so the
// search stops at once and a copy has exactly one.
TEST_F(GroupMessage, CopiesStartWithTheMaxForwardsTmWouldAdd)
{
    register_user("sip:bob@example.com");
    allow_anonymity();
    std::vector<ExplodeOutcome> outcomes;
    outcomes.push_back(to_group());
    outcomes.push_back(to_group_anonymously());
    for (const ExplodeOutcome &outcome : outcomes) {
        ASSERT_EQ(outcome.action.verdict.code, 202);
        const auto checked = check(outcome, 0);
        ASSERT_EQ(checked.fate, CopyFate::deliver);
        // What im_controlling hands to tm (t_uac): the shared block, then the recipient's.
        const std::string sent = outcome.copies[0].content->headers + std::string(checked.extra_headers);
        EXPECT_TRUE(sent.starts_with("Max-Forwards: 70\r\n")) << sent;
        EXPECT_GE(sent.size(), 15u);
        EXPECT_EQ(sent.find("Max-Forwards:", 1), std::string::npos) << sent;
    }
}

TEST_F(GroupMessage, RecipientWhoBarredPagerModeRefusesTheCopy_6_2_6_1_Step1)
{
    register_user("sip:bob@example.com");
    im::store::ServiceSettings barred;
    barred.ipab_active = true;
    settings.publish_initial("sip:bob@example.com", "<doc/>", barred, 5000, 1000);
    const auto outcome = to_group();
    auto checked = check(outcome, 0);
    EXPECT_EQ(checked.fate, CopyFate::refuse);
    EXPECT_EQ(checked.refusal.code, 603);
    EXPECT_EQ(checked.refusal.rejection, im::Rejection::barred);
}

TEST_F(GroupMessage, RecipientAccessListRefusesTheSender_6_2_6_1_Step2)
{
    register_user("sip:bob@example.com");
    access.set("sip:bob@example.com", "sip:alice@example.com", im::store::AccessKind::pager, im::store::AccessAction::reject);
    const auto outcome = to_group();
    auto checked = check(outcome, 0);
    EXPECT_EQ(checked.fate, CopyFate::refuse);
    EXPECT_EQ(checked.refusal.code, 403);
}

TEST_F(GroupMessage, OfflineKnownRecipientRefusesWith480UntilDeferralExists)
{
    registrations.upsert({"sip:carol@example.com", "", 900, 100});  // expired before now
    const auto outcome = to_group();
    auto checked = check(outcome, 1);
    EXPECT_EQ(checked.fate, CopyFate::refuse);
    EXPECT_EQ(checked.refusal.code, 480);
    EXPECT_EQ(checked.refusal.rejection, im::Rejection::not_registered);
}

TEST_F(GroupMessage, RecipientNotServedHereGoesThroughTheCore)
{
    const auto outcome = to_group();
    auto checked = check(outcome, 1);  // carol never registered here
    EXPECT_EQ(checked.fate, CopyFate::check_remote);
    EXPECT_EQ(checked.request_uri, "sip:carol@example.com");
    EXPECT_EQ(checked.extra_headers.find("Server: "), std::string::npos);
}

TEST_F(GroupMessage, AnonymousSenderIsCheckedUnderTheRealIdentityWithPrivacy)
{
    allow_anonymity();
    auto outcome = to_group_anonymously();
    ASSERT_EQ(outcome.action.verdict.code, 202);
    im::controlling::CopyRequestStorage storage;
    auto view = im::controlling::terminating_view(outcome.copies[0], *outcome.originator, storage);
    EXPECT_EQ(view.privacy, "id");
    ASSERT_EQ(view.asserted_identities.size(), 1u);
    EXPECT_EQ(view.asserted_identities[0], "<sip:alice@example.com>");
    EXPECT_NE(outcome.copies[0].content->from.find("anonymous"), std::string::npos);
}

TEST(RecipientChecks, CopyViewSurvivesTheCBridgeBothWays)
{
    im::controlling::OutgoingMessage copy{
        "sip:bob@example.com", "<sip:bob@example.com>",
        std::make_shared<const im::controlling::CopyContent>(
            im::controlling::CopyContent{"<sip:alice@example.com>", "Content-Type: text/plain\r\n", "text/plain", "hello"})};
    im::controlling::CopyRequestStorage storage;
    const auto view = im::controlling::terminating_view(copy, {"sip:alice@example.com", false}, storage);
    const im_sip_request_t c = im::bridge::to_c_request(view);
    const auto back = im::bridge::to_request(c);
    EXPECT_EQ(back.method, "MESSAGE");
    EXPECT_EQ(back.request_uri, "sip:bob@example.com");
    EXPECT_EQ(back.content_type, "text/plain");
    EXPECT_EQ(back.body, "hello");
    ASSERT_EQ(back.accept_contact.size(), 1u);
    EXPECT_EQ(back.accept_contact[0], im::controlling::kCopyAcceptContact);
    EXPECT_FALSE(back.expires);
}

TEST(RecipientChecks, VerdictCrossesTheCBridgeOntoTheCopy)
{
    const auto content = std::make_shared<const im::controlling::CopyContent>(
        im::controlling::CopyContent{"<sip:alice@example.com>", "Content-Type: text/plain\r\n", "text/plain", "x"});
    const im::controlling::OutgoingMessage copy{"sip:bob@example.com;user=phone", "<sip:bob@example.com>", content};
    im::bridge::CopyVerdicts verdicts;
    im::Action a;
    a.request_uri = "sip:bob@example.com";
    a.request_headers = {{"Server", "IM-serv/OMA1.0"}, {"Contact", "<sip:127.0.0.1:5070>;+g.oma.sip-im"}};
    im_copy_verdict_t c;
    verdicts.write(a, &c);
    ASSERT_EQ(c.reply_code, 0);
    const auto delivered = im::controlling::checked_copy(copy, c);
    EXPECT_EQ(delivered.fate, CopyFate::deliver);
    EXPECT_EQ(delivered.request_uri, a.request_uri);
    EXPECT_EQ(delivered.extra_headers,
              "Server: IM-serv/OMA1.0\r\nContact: <sip:127.0.0.1:5070>;+g.oma.sip-im\r\n");

    verdicts.write(im::Action::reply(im::Verdict::reject(im::Rejection::barred, 603, "Decline", "399 IM-serv \"barred\"")),
                   &c);
    const auto refused = im::controlling::checked_copy(copy, c);
    EXPECT_EQ(refused.fate, CopyFate::refuse);
    EXPECT_EQ(refused.refusal.code, 603);
    EXPECT_EQ(refused.refusal.reason, "Decline");
    EXPECT_EQ(refused.refusal.rejection, im::Rejection::barred);
}

TEST_F(GroupMessage, CopiesShareOneContentAndDifferOnlyInTheirRecipient)
{
    auto outcome = to_group();
    ASSERT_EQ(outcome.copies.size(), 2u);
    EXPECT_EQ(outcome.copies[0].content, outcome.copies[1].content);  // built once, not per copy
    EXPECT_EQ(outcome.copies[0].to, "<sip:bob@example.com>");
    EXPECT_EQ(outcome.copies[1].to, "<sip:carol@example.com>");
}

TEST(RecipientChecks, DeliverCheckedTakesTheAnswersUriAndHeaderBlock)
{
    auto content = std::make_shared<const im::controlling::CopyContent>(
        im::controlling::CopyContent{"<sip:alice@example.com>", "Content-Type: text/plain\r\n", "text/plain", "x"});
    const im::controlling::OutgoingMessage copy{"sip:bob@example.com", "<sip:bob@example.com>", content};
    auto same = im::controlling::deliver_checked(copy, "", "Server: IM-serv/OMA1.0\r\n");
    EXPECT_EQ(same.fate, CopyFate::deliver);
    EXPECT_EQ(same.request_uri, "sip:bob@example.com");
    EXPECT_EQ(same.extra_headers, "Server: IM-serv/OMA1.0\r\n");
    auto moved = im::controlling::deliver_checked(copy, "sip:bob@10.0.0.1:5090", "");
    EXPECT_EQ(moved.request_uri, "sip:bob@10.0.0.1:5090");
    EXPECT_TRUE(moved.extra_headers.empty());

    const auto remote = im::controlling::unchecked(copy);
    EXPECT_EQ(remote.fate, CopyFate::check_remote);
    EXPECT_EQ(remote.request_uri, "sip:bob@example.com");
    EXPECT_TRUE(remote.extra_headers.empty());
}

TEST(RecipientChecks, RefusedCheckedSendsANotHereCopyThroughTheCoreAndRefusesTheRest)
{
    auto content = std::make_shared<const im::controlling::CopyContent>(
        im::controlling::CopyContent{"", "", "text/plain", "x"});
    const im::controlling::OutgoingMessage copy{"sip:bob@example.com", "<sip:bob@example.com>", content};
    auto remote = im::controlling::refuse_checked(
        copy, im::Verdict::reject(im::Rejection::not_found, 404, "Not Found", "399 IM-serv \"No such IM user or group\""));
    EXPECT_EQ(remote.fate, CopyFate::check_remote);
    EXPECT_EQ(remote.request_uri, "sip:bob@example.com");

    auto malformed = im::controlling::refuse_checked(copy, im::Verdict::reject(im::Rejection::malformed, 404, "Not Found"));
    EXPECT_EQ(malformed.fate, CopyFate::refuse);  // a 404 for another reason is no "served elsewhere"
    auto barred = im::controlling::refuse_checked(copy, im::Verdict::reject(im::Rejection::barred, 603, "Decline"));
    EXPECT_EQ(barred.fate, CopyFate::refuse);
    EXPECT_EQ(barred.refusal.code, 603);
    EXPECT_EQ(barred.refusal.reason, "Decline");
    EXPECT_EQ(barred.refusal.rejection, im::Rejection::barred);
}

TEST(RecipientChecks, FailedCheckWithoutAReplyIsARefusalNotADelivery)
{
    im::controlling::OutgoingMessage copy{
        "sip:bob@example.com", "",
        std::make_shared<const im::controlling::CopyContent>(im::controlling::CopyContent{"", "", "text/plain", "x"})};
    auto checked = im::controlling::refuse_checked(copy, im::Verdict::reply(500, "Server Internal Error"));
    EXPECT_EQ(checked.fate, CopyFate::refuse);
}

namespace {

std::string advertisement_of(const std::string &group_uri)
{
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<group-advertisement xmlns=\"urn:oma:params:xml:ns:IM:group-advertisement\">"
           "<note>Join us</note><group type=\"dialed-out\"><display-name>Team</display-name><uri>" +
           group_uri + "</uri></group></group-advertisement>";
}

}  // namespace

class GroupAdvertisementMessage : public GroupMessage {
protected:
    void SetUp() override
    {
        GroupMessage::SetUp();
        im::store::Group team;
        team.uri = "sip:team@example.com";
        team.members = {{"sip:alice@example.com", "", "owner"}, {"sip:bob@example.com"}};
        groups.create(team);
    }

    ExplodeOutcome advertise(const std::string &body, std::string_view from = "<sip:alice@example.com>",
                             std::string_view privacy = "")
    {
        auto r = im::test::core_message();
        r.request_uri = kGroup;
        r.content_type = "application/vnd.IM.group-advertisement+xml";
        r.body = body;
        r.asserted_identities = {from};
        r.privacy = privacy;
        return exploder.handle(r);
    }
};

TEST_F(GroupAdvertisementMessage, TheOwnerAdvertisesHerGroupToTheOtherMembers_E_1_5)
{
    auto outcome = advertise(advertisement_of("sip:team@example.com"));
    EXPECT_EQ(outcome.action.verdict.code, 202);
    ASSERT_EQ(outcome.copies.size(), 2u);
    EXPECT_EQ(outcome.copies[0].content->content_type, "application/vnd.IM.group-advertisement+xml");
    EXPECT_NE(outcome.copies[0].content->headers.find("Accept-Contact: *;+g.poc.groupad\r\n"), std::string::npos);
    EXPECT_NE(outcome.copies[0].content->body.find("<uri>sip:team@example.com</uri>"), std::string::npos);
}

TEST_F(GroupAdvertisementMessage, AnInvalidDocumentIs400_E_1_8)
{
    EXPECT_EQ(advertise("<group-advertisement xmlns=\"urn:oma:params:xml:ns:IM:group-advertisement\"/>").action.verdict.code, 400);
    EXPECT_EQ(advertise("not xml").action.verdict.code, 400);
    EXPECT_TRUE(advertise("not xml").copies.empty());
}

TEST_F(GroupAdvertisementMessage, AMemberWhoMayNotAddUsersCannotAdvertiseTheGroup)
{
    auto outcome = advertise(advertisement_of("sip:team@example.com"), "<sip:bob@example.com>");
    EXPECT_EQ(outcome.action.verdict.code, 403);
    EXPECT_NE(outcome.action.verdict.warning.find("sip:team@example.com"), std::string::npos);
}

TEST_F(GroupAdvertisementMessage, TheGroupRuleDecidesWhoMayAdvertise)
{
    auto team = *groups.find("sip:team@example.com");
    team.rules.may_add_users = im::store::GroupRules::members;
    groups.update(team);
    EXPECT_EQ(advertise(advertisement_of("sip:team@example.com"), "<sip:bob@example.com>").action.verdict.code, 202);
}

TEST_F(GroupAdvertisementMessage, AGroupOfAnotherServerCannotBeCheckedAndPasses)
{
    EXPECT_EQ(advertise(advertisement_of("sip:club@elsewhere.example.org"), "<sip:carol@example.com>").action.verdict.code, 202);
}

TEST_F(GroupAdvertisementMessage, AnonymousAdvertisementIs403_6_2_4_5_Step1)
{
    allow_anonymity();
    auto outcome = advertise(advertisement_of("sip:team@example.com"), "<sip:alice@example.com>", "id");
    EXPECT_EQ(outcome.action.verdict.code, 403);
    EXPECT_EQ(outcome.action.verdict.rejection, im::Rejection::anonymity);
}

TEST_F(GroupMessage, LocalPolicyLimitsTheRecipientsWithAWarning)
{
    auto g = *groups.find(kGroup);
    g.max_participants = 1;
    groups.update(g);
    auto outcome = to_group();  // two recipients, at most one
    EXPECT_EQ(outcome.action.verdict.code, 403);
    EXPECT_EQ(outcome.action.verdict.rejection, im::Rejection::too_many);
    EXPECT_NE(outcome.action.verdict.warning.find("Too many recipients: 2, at most 1"), std::string::npos);
    EXPECT_TRUE(outcome.copies.empty());
}

TEST_F(GroupMessage, UriListWhileTheServiceIsOffIs403_Cr000Step1)
{
    ccfg.uri_list_service = false;
    auto r = im::test::core_message();
    r.request_uri = "sip:conference-factory@example.com";
    r.content_type = "multipart/mixed;boundary=b";
    r.body = "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n";
    auto outcome = exploder.handle(r);
    EXPECT_EQ(outcome.action.verdict.code, 403);
    EXPECT_NE(outcome.action.verdict.warning.find("URI-list service is not offered"), std::string::npos);
}
