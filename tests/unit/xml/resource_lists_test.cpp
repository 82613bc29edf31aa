#include <gtest/gtest.h>

#include "xml/xml_test_support.hpp"

#include <ctime>
#include <string>

#include "im/xml/resource_lists.hpp"

using im::xml::CopyControl;
using im::xml::ErrorKind;
using im::xml::InvalidUri;
using im::xml::ListEntry;
using im::xml::normalized_uri_key;
using im::xml::parse_resource_lists;
using im::xml::remove_recipient;
using im::xml::ResourceListLimits;
using im::xml::serialize_recipient_list_history;

namespace {

using im::xml::testing::cpu_milliseconds_to;
using im::xml::testing::kSlowdown;

// The list of RFC 5364 section 6 (a sender with to, cc, bcc and anonymized
// recipients).
constexpr std::string_view kCopyControlExample = R"(<?xml version="1.0" encoding="UTF-8"?>
<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"
     xmlns:cp="urn:ietf:params:xml:ns:copycontrol">
  <list>
    <entry uri="sip:bill@example.com" cp:copyControl="to" />
    <entry uri="sip:randy@example.net" cp:copyControl="to"
           cp:anonymize="true"/>
    <entry uri="sip:eddy@example.com" cp:copyControl="to"
           cp:anonymize="true"/>
    <entry uri="sip:joe@example.org" cp:copyControl="cc" />
    <entry uri="sip:carol@example.net" cp:copyControl="cc"
           cp:anonymize="true"/>
    <entry uri="sip:ted@example.net" cp:copyControl="bcc" />
    <entry uri="sip:andy@example.com" cp:copyControl="bcc" />
  </list>
</resource-lists>
)";

std::string list_of(std::string_view body)
{
    return "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\" "
           "xmlns:cp=\"urn:ietf:params:xml:ns:copycontrol\"><list>" +
           std::string(body) + "</list></resource-lists>";
}

std::vector<std::string> uris_of(const std::vector<ListEntry> &entries)
{
    std::vector<std::string> uris;
    for (const auto &entry : entries) uris.push_back(entry.uri);
    return uris;
}

ErrorKind error_kind_of(std::string_view document)
{
    auto parsed = parse_resource_lists(document);
    EXPECT_FALSE(parsed) << document;
    return parsed ? ErrorKind::invalid : parsed.error().kind;
}

std::string entries(std::size_t count, std::string_view prefix = "sip:user")
{
    std::string body;
    body.reserve(count * 40);
    for (std::size_t i = 0; i < count; ++i)
        body += "<entry uri=\"" + std::string(prefix) + std::to_string(i) + "@example.com\"/>";
    return body;
}

}  // namespace

TEST(ResourceLists, CopyControlExample)
{
    auto list = parse_resource_lists(kCopyControlExample);
    ASSERT_TRUE(list) << list.error().reason;
    ASSERT_EQ(list->entries.size(), 7u);
    EXPECT_EQ(list->entries[0], (ListEntry{"sip:bill@example.com", "sip:bill@example.com", std::nullopt,
                                           CopyControl::to, false}));
    EXPECT_EQ(list->entries[1].copy_control, CopyControl::to);
    EXPECT_TRUE(list->entries[1].anonymize);
    EXPECT_EQ(list->entries[3].copy_control, CopyControl::cc);
    EXPECT_FALSE(list->entries[3].anonymize);
    EXPECT_TRUE(list->entries[4].anonymize);
    EXPECT_EQ(list->entries[5].copy_control, CopyControl::bcc);
    EXPECT_EQ(list->entries[6].uri, "sip:andy@example.com");
    EXPECT_TRUE(list->invalid_uris.empty());
    EXPECT_EQ(list->duplicates_removed, 0u);
}

TEST(ResourceLists, AttributesDefaultToVisibleTo)
{
    auto list = parse_resource_lists(list_of("<entry uri=\"sip:a@example.com\"/>"));
    ASSERT_TRUE(list);
    ASSERT_EQ(list->entries.size(), 1u);
    EXPECT_EQ(list->entries[0].copy_control, CopyControl::to);
    EXPECT_FALSE(list->entries[0].anonymize);
    EXPECT_EQ(list->entries[0].display_name, std::nullopt);
}

TEST(ResourceLists, DisplayNamesAndListNames)
{
    auto list = parse_resource_lists(list_of(R"(
        <display-name>Friends</display-name>
        <entry uri=" sip:a@example.com ">
          <display-name xml:lang="en"> Alice &amp; Co </display-name>
        </entry>
        <entry uri="tel:+15551234"><display-name></display-name></entry>)"));
    ASSERT_TRUE(list) << list.error().reason;
    ASSERT_EQ(list->entries.size(), 2u);
    EXPECT_EQ(list->entries[0].uri, "sip:a@example.com");
    EXPECT_EQ(list->entries[0].display_name, "Alice & Co");
    EXPECT_EQ(list->entries[1].key, "tel:+15551234");
    EXPECT_EQ(list->entries[1].display_name, "");
}

TEST(ResourceLists, AnonymizeAndCopyControlValues)
{
    auto list = parse_resource_lists(list_of(R"(
        <entry uri="sip:a@x" cp:copyControl=" cc " cp:anonymize="1"/>
        <entry uri="sip:b@x" cp:copyControl="bcc" cp:anonymize="false"/>
        <entry uri="sip:c@x" copyControl="bcc"/>)"));  // unqualified: not RFC 5364's attribute
    ASSERT_TRUE(list) << list.error().reason;
    ASSERT_EQ(list->entries.size(), 3u);
    EXPECT_EQ(list->entries[0].copy_control, CopyControl::cc);
    EXPECT_TRUE(list->entries[0].anonymize);
    EXPECT_EQ(list->entries[1].copy_control, CopyControl::bcc);
    EXPECT_FALSE(list->entries[1].anonymize);
    EXPECT_EQ(list->entries[2].copy_control, CopyControl::to);

    EXPECT_EQ(error_kind_of(list_of("<entry uri=\"sip:a@x\" cp:copyControl=\"BCC\"/>")), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(list_of("<entry uri=\"sip:a@x\" cp:copyControl=\"\"/>")), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(list_of("<entry uri=\"sip:a@x\" cp:anonymize=\"yes\"/>")), ErrorKind::invalid);
}

TEST(ResourceLists, NestedListsAreFlattenedInDocumentOrder)
{
    auto list = parse_resource_lists(list_of(R"(
        <entry uri="sip:1@x"/>
        <list name="inner"><entry uri="sip:2@x"/><list><entry uri="sip:3@x"/></list></list>
        <entry uri="sip:4@x"/>)") + "");
    ASSERT_TRUE(list) << list.error().reason;
    EXPECT_EQ(uris_of(list->entries), (std::vector<std::string>{"sip:1@x", "sip:2@x", "sip:3@x", "sip:4@x"}));

    auto two_lists = parse_resource_lists(
        R"(<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list><entry uri="sip:1@x"/></list>
           <list><entry uri="sip:2@x"/></list><list/></resource-lists>)");
    ASSERT_TRUE(two_lists);
    EXPECT_EQ(uris_of(two_lists->entries), (std::vector<std::string>{"sip:1@x", "sip:2@x"}));
}

TEST(ResourceLists, ListNestingLimit)
{
    ResourceListLimits limits;
    limits.max_list_depth = 3;
    const auto nest = [](int depth) {
        std::string doc = "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\">";
        for (int i = 0; i < depth; ++i) doc += "<list>";
        doc += "<entry uri=\"sip:deep@x\"/>";
        for (int i = 0; i < depth; ++i) doc += "</list>";
        return doc + "</resource-lists>";
    };
    EXPECT_TRUE(parse_resource_lists(nest(3), limits));
    auto deep = parse_resource_lists(nest(4), limits);
    ASSERT_FALSE(deep);
    EXPECT_EQ(deep.error().kind, ErrorKind::limit_exceeded);

    // The XML depth limit holds whatever max_list_depth says.
    limits.max_list_depth = 1'000;
    auto bomb = parse_resource_lists(nest(10'000), limits);
    ASSERT_FALSE(bomb);
    EXPECT_EQ(bomb.error().kind, ErrorKind::limit_exceeded);
}

TEST(ResourceLists, EmptyListsAreValid)
{
    auto list = parse_resource_lists("<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"/>");
    ASSERT_TRUE(list);
    EXPECT_TRUE(list->entries.empty());
}

TEST(ResourceLists, DuplicatesKeepTheFirstOccurrence)
{
    auto list = parse_resource_lists(list_of(R"(
        <entry uri="sip:bob@example.com" cp:copyControl="cc"/>
        <entry uri="SIP:bob@EXAMPLE.COM" cp:copyControl="to"/>
        <entry uri="sip:bob@example.com;transport=tcp?subject=x"/>
        <list><entry uri="sip:bob@example.com" cp:copyControl="bcc"/></list>
        <entry uri="sip:Bob@example.com"/>
        <entry uri="sip:bob@example.com:5070"/>
        <entry uri="sips:bob@example.com"/>)"));
    ASSERT_TRUE(list) << list.error().reason;
    EXPECT_EQ(uris_of(list->entries),
              (std::vector<std::string>{"sip:bob@example.com", "sip:Bob@example.com", "sip:bob@example.com:5070",
                                        "sips:bob@example.com"}));
    EXPECT_EQ(list->entries[0].copy_control, CopyControl::cc);
    EXPECT_EQ(list->duplicates_removed, 3u);
}

TEST(ResourceLists, UnusableUrisAreReportedNotDelivered)
{
    auto list = parse_resource_lists(list_of(R"(
        <entry uri="sip:ok@example.com"/>
        <entry uri="mailto:bob@example.com"/>
        <entry uri=""/>
        <entry uri="sip:"/>
        <entry uri="bob@example.com"/>
        <entry uri="sip:a b@example.com"/>
        <entry uri="sip:a@example.com&#13;&#10;Via: evil"/>
        <entry uri="sip:caf&#xE9;@example.com"/>
        <entry uri="sip:a@example.com:99999"/>)"));
    ASSERT_TRUE(list) << list.error().reason;
    EXPECT_EQ(uris_of(list->entries), (std::vector<std::string>{"sip:ok@example.com"}));
    ASSERT_EQ(list->invalid_uris.size(), 8u);
    EXPECT_EQ(list->invalid_uris[0], (InvalidUri{"mailto:bob@example.com", "not a sip:, sips: or tel: URI"}));
    EXPECT_EQ(list->invalid_uris[1].uri, "");
    EXPECT_EQ(list->invalid_uris[5].uri, "sip:a@example.com\r\nVia: evil");
}

TEST(ResourceLists, EntryRefAndExternalAreUnsupported)
{
    auto ref = parse_resource_lists(list_of("<entry uri=\"sip:a@x\"/><entry-ref ref=\"resource-lists/users/x\"/>"));
    ASSERT_FALSE(ref);
    EXPECT_EQ(ref.error().kind, ErrorKind::unsupported);
    EXPECT_EQ(ref.error().reason, "<entry-ref> is not supported");

    auto external = parse_resource_lists(list_of("<list><external anchor=\"http://xcap.example.com/x\"/></list>"));
    ASSERT_FALSE(external);
    EXPECT_EQ(external.error().kind, ErrorKind::unsupported);
    EXPECT_EQ(external.error().reason, "<external> is not supported");
}

TEST(ResourceLists, UnknownNamespacesAreIgnored)
{
    auto list = parse_resource_lists(R"(<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"
        xmlns:x="urn:example:ext" x:root-attr="1">
      <x:meta>ignored <entry uri="sip:hidden@x"/></x:meta>
      <list x:flag="yes">
        <x:entry uri="sip:foreign@x"/>
        <entry uri="sip:a@x" x:priority="high"><x:note>n</x:note><display-name>A</display-name></entry>
        <entry-ref xmlns="urn:example:ext" ref="not ours"/>
      </list>
    </resource-lists>)");
    ASSERT_TRUE(list) << list.error().reason;
    EXPECT_EQ(uris_of(list->entries), (std::vector<std::string>{"sip:a@x"}));
    EXPECT_EQ(list->entries[0].display_name, "A");
}

TEST(ResourceLists, RefusesOtherDocuments)
{
    EXPECT_EQ(error_kind_of("<resource-lists><list/></resource-lists>"), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of("<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-list\"/>"), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of("<list xmlns=\"urn:ietf:params:xml:ns:resource-lists\"/>"), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of("<x:resource-lists xmlns:x=\"urn:example\"/>"), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(list_of("<entry/>")), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(list_of("<entry cp:uri=\"sip:a@x\"/>")), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(list_of("<bogus/>")), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(list_of("<entry uri=\"sip:a@x\"><list/></entry>")), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of("<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><entry "
                            "uri=\"sip:a@x\"/></resource-lists>"),
              ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(list_of("<entry uri=\"sip:a@x\">")), ErrorKind::malformed);
    EXPECT_EQ(error_kind_of(list_of("<entry uri=sip:a@x/>")), ErrorKind::malformed);
    EXPECT_EQ(error_kind_of("not xml"), ErrorKind::malformed);
}

TEST(ResourceLists, MissingRequiredUriAttributeNamesTheProblem)
{
    auto list = parse_resource_lists(list_of("<entry uri=\"sip:a@x\"/><entry/>"));
    ASSERT_FALSE(list);
    EXPECT_EQ(list.error().reason, "<entry> without uri attribute");
}

TEST(ResourceLists, TenThousandEntriesParseFast)
{
    const std::string document = list_of(entries(10'000));
    ASSERT_LT(document.size(), 1024u * 1024u);
    im::xml::Result<im::xml::ResourceList> list = im::xml::make_error(ErrorKind::invalid, "not run");
    const double ms = cpu_milliseconds_to([&] { list = parse_resource_lists(document); });
    ASSERT_TRUE(list) << list.error().reason;
    EXPECT_EQ(list->entries.size(), 10'000u);
    EXPECT_LT(ms, 100.0 * kSlowdown);
    RecordProperty("parse_ms", std::to_string(ms));
}

TEST(ResourceLists, EntryLimitCountsDuplicatesToo)
{
    auto over = parse_resource_lists(list_of(entries(10'001)));
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().kind, ErrorKind::limit_exceeded);

    ResourceListLimits limits;
    limits.max_entries = 3;
    EXPECT_TRUE(parse_resource_lists(list_of(entries(3)), limits));
    std::string same;
    for (int i = 0; i < 4; ++i) same += "<entry uri=\"sip:same@x\"/>";
    auto duplicates = parse_resource_lists(list_of(same), limits);
    ASSERT_FALSE(duplicates);
    EXPECT_EQ(duplicates.error().kind, ErrorKind::limit_exceeded);
}

TEST(ResourceLists, ByteLimitApplies)
{
    ResourceListLimits limits;
    limits.xml.max_bytes = 100;
    auto big = parse_resource_lists(list_of(entries(10)), limits);
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().kind, ErrorKind::too_large);
}

TEST(ResourceLists, NormalizedUriKey)
{
    EXPECT_EQ(normalized_uri_key("SIP:Alice@Example.COM;transport=tcp?subject=hi"), "sip:Alice@example.com");
    EXPECT_EQ(normalized_uri_key("sip:alice:secret@example.com:5061"), "sip:alice@example.com:5061");
    EXPECT_EQ(normalized_uri_key("sips:[2001:DB8::1]"), "sips:[2001:db8::1]");
    EXPECT_EQ(normalized_uri_key("TEL:+1555;phone-context=x"), "tel:+1555");
    for (std::string_view bad : {"", "http://x", "sip:a@", "sip:a@x y", "sip:<a@x>", "sip:a@x\n", "sip:\x80@x"})
        EXPECT_EQ(normalized_uri_key(bad), std::nullopt) << bad;
}

TEST(ResourceLists, RemoveRecipientDropsTheSendersOwnEntries)
{
    auto list = parse_resource_lists(list_of(R"(
        <entry uri="sip:alice@example.com;transport=tcp"/>
        <entry uri="sip:bob@example.com"/>
        <entry uri="sip:alice@example.org"/>)"));
    ASSERT_TRUE(list);
    EXPECT_EQ(remove_recipient(list.value(), " SIP:alice@EXAMPLE.com "), 1u);
    EXPECT_EQ(uris_of(list->entries), (std::vector<std::string>{"sip:bob@example.com", "sip:alice@example.org"}));
    EXPECT_EQ(remove_recipient(list.value(), "sip:carol@example.com"), 0u);
    EXPECT_EQ(remove_recipient(list.value(), "not a uri"), 0u);
    EXPECT_EQ(list->entries.size(), 2u);
}

TEST(ResourceLists, HistoryBodyListsToAndCcButNeverBcc)
{
    auto list = parse_resource_lists(kCopyControlExample);
    ASSERT_TRUE(list);
    const std::string history = serialize_recipient_list_history(list->entries);
    EXPECT_EQ(history,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
              "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"\r\n"
              "    xmlns:cp=\"urn:ietf:params:xml:ns:copycontrol\">\r\n"
              "  <list>\r\n"
              "    <entry uri=\"sip:bill@example.com\" cp:copyControl=\"to\"/>\r\n"
              "    <entry uri=\"sip:anonymous@anonymous.invalid\" cp:copyControl=\"to\" cp:count=\"2\"/>\r\n"
              "    <entry uri=\"sip:joe@example.org\" cp:copyControl=\"cc\"/>\r\n"
              "    <entry uri=\"sip:anonymous@anonymous.invalid\" cp:copyControl=\"cc\" cp:count=\"1\"/>\r\n"
              "  </list>\r\n"
              "</resource-lists>\r\n");
    for (std::string_view hidden : {"ted@", "andy@", "bcc", "randy@", "eddy@", "carol@"})
        EXPECT_EQ(history.find(hidden), std::string::npos) << hidden;

    // It is a resource list itself: bcc and anonymized recipients stay out.
    auto reparsed = parse_resource_lists(history);
    ASSERT_TRUE(reparsed) << reparsed.error().reason;
    EXPECT_EQ(uris_of(reparsed->entries),
              (std::vector<std::string>{"sip:bill@example.com", "sip:anonymous@anonymous.invalid",
                                        "sip:joe@example.org"}));
}

TEST(ResourceLists, HistoryBodyOfOnlyBccRecipientsIsAnEmptyList)
{
    const std::vector<ListEntry> recipients = {{"sip:a@x", "sip:a@x", "A", CopyControl::bcc, false},
                                               {"sip:b@x", "sip:b@x", std::nullopt, CopyControl::bcc, true}};
    const std::string history = serialize_recipient_list_history(recipients);
    EXPECT_EQ(history.find("sip:a@x"), std::string::npos);
    EXPECT_EQ(history.find("sip:b@x"), std::string::npos);
    auto reparsed = parse_resource_lists(history);
    ASSERT_TRUE(reparsed);
    EXPECT_TRUE(reparsed->entries.empty());
}

TEST(ResourceLists, HistoryBodyEscapesWhatCameFromThePeer)
{
    const std::vector<ListEntry> recipients = {
        {"sip:a@x", "sip:a@x", "<b>\"Al\" & 'Co'</b>\x01", CopyControl::to, false},
        {"sip:b@x?h=\"><evil/>", "sip:b@x", std::nullopt, CopyControl::cc, false},
    };
    const std::string history = serialize_recipient_list_history(recipients);
    EXPECT_NE(history.find("<display-name>&lt;b&gt;&quot;Al&quot; &amp; &apos;Co&apos;&lt;/b&gt;\xEF\xBF\xBD"
                           "</display-name>"),
              std::string::npos)
        << history;
    EXPECT_EQ(history.find("<evil/>"), std::string::npos);
    auto reparsed = parse_resource_lists(history);
    ASSERT_TRUE(reparsed) << reparsed.error().reason;
    ASSERT_EQ(reparsed->entries.size(), 1u);  // the second uri is no usable SIP URI
    EXPECT_EQ(reparsed->entries[0].display_name, "<b>\"Al\" & 'Co'</b>\xEF\xBF\xBD");
}

TEST(ResourceLists, ErrorReasonsQuotingThePeerStayOneShortLine)
{
    auto injected = parse_resource_lists(list_of("<entry uri=\"sip:a@x\" cp:copyControl=\"to&#13;&#10;Via: x\"/>"));
    ASSERT_FALSE(injected);
    EXPECT_EQ(injected.error().reason, "bad copyControl value \"to  Via: x\"");

    auto long_value =
        parse_resource_lists(list_of("<entry uri=\"sip:a@x\" cp:anonymize=\"" + std::string(5000, 'y') + "\"/>"));
    ASSERT_FALSE(long_value);
    EXPECT_LE(long_value.error().reason.size(), 203u);
    EXPECT_TRUE(long_value.error().reason.ends_with("..."));

    // Cutting never splits a UTF-8 character.
    auto utf8 = parse_resource_lists(list_of("<entry uri=\"sip:a@x\" cp:anonymize=\"y" + [] {
        std::string many;
        for (int i = 0; i < 200; ++i) many += "\xC3\xA9";
        return many;
    }() + "\"/>"));
    ASSERT_FALSE(utf8);
    const auto &reason = utf8.error().reason;
    const auto before_dots = reason.substr(0, reason.size() - 3);
    EXPECT_NE(static_cast<unsigned char>(before_dots.back()), 0xC3);
}
