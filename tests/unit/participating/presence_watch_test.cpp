#include "im/participating/presence_watch.hpp"

#include <gtest/gtest.h>

#include "im/xml/im_presence.hpp"
#include "request_fixture.hpp"

using im::participating::PresenceNotifyProcedure;
using im::xml::im_willingness;

namespace {

std::string pidf(std::string_view tuples)
{
    return "<?xml version=\"1.0\"?><presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
           "xmlns:op=\"urn:oma:xml:prs:pidf:oma-pres\" entity=\"sip:bob@example.com\">" +
           std::string(tuples) + "</presence>";
}

std::string im_tuple(std::string_view id, std::string_view willingness)
{
    return "<tuple id=\"" + std::string(id) + "\"><status><op:willingness><op:basic>" + std::string(willingness) +
           "</op:basic></op:willingness></status><op:service-description><op:service-id>org.openmobilealliance:IM"
           "</op:service-id><op:version>1.0</op:version></op:service-description></tuple>";
}

// A NOTIFY of the IM server's subscription to bob, from the presence server;
// it views `body`, which must outlive it.
im::sip::Request notify(const std::string &body)
{
    im::sip::Request r = im::test::core_message();
    r.method = "NOTIFY";
    r.request_uri = "sip:127.0.0.1:5070";
    r.from_uri = "sip:bob@example.com";
    r.to_uri = "sip:im-server@127.0.0.1:5070";
    r.to_tag = "w1";
    r.event = "presence";
    r.content_type = "application/pidf+xml";
    r.body = body;
    r.asserted_identities.clear();
    return r;
}

}  // namespace

TEST(ImWillingness, AppendixI_OpenClosedOrNotSaid)
{
    EXPECT_EQ(im_willingness(pidf(im_tuple("a", "closed"))).value(), false);
    EXPECT_EQ(im_willingness(pidf(im_tuple("a", " open "))).value(), true);
    EXPECT_EQ(im_willingness(pidf("<tuple id=\"x\"><status><basic>open</basic></status></tuple>")).value(), std::nullopt);
    // Another service's willingness says nothing about IM.
    std::string poc = im_tuple("p", "closed");
    poc.replace(poc.find("org.openmobilealliance:IM"), 25, "org.openmobilealliance:PoC");
    EXPECT_EQ(im_willingness(pidf(poc)).value(), std::nullopt);
    // One device unwilling is enough.
    EXPECT_EQ(im_willingness(pidf(im_tuple("a", "open") + im_tuple("b", "closed"))).value(), false);
}

TEST(ImWillingness, RefusesWhatIsNoPidf)
{
    EXPECT_FALSE(im_willingness("<presence/>").ok());  // no PIDF namespace
    EXPECT_FALSE(im_willingness("not xml").ok());
    EXPECT_FALSE(im_willingness(pidf(im_tuple("a", "maybe"))).ok());
    EXPECT_FALSE(im_willingness("<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY a \"aaaa\">]><presence/>").ok());
}

class PresenceWatch : public ::testing::Test {
protected:
    im::Action handle(const im::sip::Request &r) { return PresenceNotifyProcedure(cfg, willingness, clock).handle(r); }

    im::participating::Config cfg = im::test::participating_config();
    im::store::MemoryWillingnessStore willingness;
    im::test::FixedClock clock;
};

TEST_F(PresenceWatch, Step6_TheNotifiedWillingnessIsKept)
{
    const std::string closed = pidf(im_tuple("a", "closed"));
    EXPECT_EQ(handle(notify(closed)).verdict.code, 200);
    EXPECT_FALSE(willingness.willing("sip:bob@example.com"));
    const std::string open = pidf(im_tuple("a", "open"));
    EXPECT_EQ(handle(notify(open)).verdict.code, 200);
    EXPECT_TRUE(willingness.willing("sip:bob@example.com"));
    EXPECT_EQ(handle(notify(closed)).verdict.code, 200);
    EXPECT_EQ(handle(notify("")).verdict.code, 200);  // subscription ended: nothing known, willing
    EXPECT_TRUE(willingness.willing("sip:bob@example.com"));
}

TEST_F(PresenceWatch, OnlyThePresenceServerOnlyPresenceOnlyPidf)
{
    const std::string closed = pidf(im_tuple("a", "closed"));
    auto stranger = notify(closed);
    stranger.source = {"192.0.2.7", 5060, "udp"};
    EXPECT_EQ(handle(stranger).verdict.code, 403);
    auto other_event = notify(closed);
    other_event.event = "dialog";
    auto a = handle(other_event);
    EXPECT_EQ(a.verdict.code, 489);
    const std::string hello = "hello";  // the request views it
    auto text = notify(hello);
    text.content_type = "text/plain";
    EXPECT_EQ(handle(text).verdict.code, 415);
    EXPECT_EQ(handle(notify("<presence")).verdict.code, 400);
    EXPECT_TRUE(willingness.willing("sip:bob@example.com"));  // none of them changed anything
}
