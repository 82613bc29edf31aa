#include <gtest/gtest.h>

#include <string>

#include "im/xml/group_advertisement.hpp"

using im::xml::AdvertisedGroup;
using im::xml::AdvertisedGroupType;
using im::xml::ErrorKind;
using im::xml::GroupAdvertisementLimits;
using im::xml::parse_group_advertisement;

namespace {

// OMA SIMPLE IM draft, Appendix E.1.7, byte for byte.
constexpr std::string_view kSpecExample = R"(<?xml version="1.0" encoding="UTF-8"?>

<group-advertisement

      xmlns="urn:oma:params:xml:ns:IM:group-advertisement"

      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"

      xsi:schemaLocation="urn:oma:params:xml:ns:IM:group-advertisement">

      <note>This group will meet next week</note>

      <group type="dialed-in">

           <display-name>Teleworkers</display-name>

           <uri>sip:group1@example.com</uri>

      </group>

</group-advertisement>
)";

std::string advertisement(std::string_view body,
                          std::string_view ns = "urn:oma:params:xml:ns:IM:group-advertisement")
{
    return "<group-advertisement xmlns=\"" + std::string(ns) + "\">" + std::string(body) + "</group-advertisement>";
}

ErrorKind error_kind_of(std::string_view document, const GroupAdvertisementLimits &limits = {})
{
    auto parsed = parse_group_advertisement(document, limits);
    EXPECT_FALSE(parsed) << document;
    return parsed ? ErrorKind::invalid : parsed.error().kind;
}

}  // namespace

TEST(GroupAdvertisement, SpecExample)
{
    auto parsed = parse_group_advertisement(kSpecExample);
    ASSERT_TRUE(parsed) << parsed.error().reason;
    EXPECT_EQ(parsed->note, "This group will meet next week");
    ASSERT_EQ(parsed->groups.size(), 1u);
    EXPECT_EQ(parsed->groups[0],
              (AdvertisedGroup{AdvertisedGroupType::dialed_in, "Teleworkers", {"sip:group1@example.com"}}));
}

TEST(GroupAdvertisement, OptionalPartsAbsent)
{
    auto parsed = parse_group_advertisement(advertisement("<group><uri>sip:g@example.com</uri></group>"));
    ASSERT_TRUE(parsed) << parsed.error().reason;
    EXPECT_EQ(parsed->note, std::nullopt);
    EXPECT_EQ(parsed->groups[0], (AdvertisedGroup{AdvertisedGroupType::unspecified, std::nullopt, {"sip:g@example.com"}}));
}

TEST(GroupAdvertisement, SeveralGroupsTypesAndUris)
{
    auto parsed = parse_group_advertisement(advertisement(R"(
        <group type="dialed-out"><display-name> Team </display-name>
          <uri> sip:team@example.com </uri><uri>tel:+15550100</uri></group>
        <group type="other"><uri>sips:x@example.com</uri></group>
        <note><![CDATA[<b>bold</b> & more]]></note>)"));
    ASSERT_TRUE(parsed) << parsed.error().reason;
    ASSERT_EQ(parsed->groups.size(), 2u);
    EXPECT_EQ(parsed->groups[0], (AdvertisedGroup{AdvertisedGroupType::dialed_out, "Team",
                                                  {"sip:team@example.com", "tel:+15550100"}}));
    EXPECT_EQ(parsed->groups[1].type, AdvertisedGroupType::other);
    EXPECT_EQ(parsed->note, "<b>bold</b> & more");
}

TEST(GroupAdvertisement, AllThreeNamespaceSpellingsOfTheDraft)
{
    for (std::string_view ns : {"urn:oma:params:xml:ns:IM:group-advertisement",
                                "urn:oma:params:xml:ns:IM:groupadvertisement",
                                "urn:oma:params:xml:ns:im:group-advertisement"})
        EXPECT_TRUE(parse_group_advertisement(advertisement("<group><uri>sip:g@x</uri></group>", ns))) << ns;
}

TEST(GroupAdvertisement, UnknownNamespacesAreIgnored)
{
    auto parsed = parse_group_advertisement(advertisement(R"(
        <x:banner xmlns:x="urn:example">ignored</x:banner>
        <group xmlns:x="urn:example" x:color="red"><x:uri>sip:not-this@x</x:uri>
          <uri>sip:g@x</uri><x:extra/></group>)"));
    ASSERT_TRUE(parsed) << parsed.error().reason;
    EXPECT_EQ(parsed->groups[0].uris, (std::vector<std::string>{"sip:g@x"}));
}

TEST(GroupAdvertisement, RequiredElements)
{
    EXPECT_EQ(error_kind_of(advertisement("")), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(advertisement("<note>only a note</note>")), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(advertisement("<group><display-name>no uri</display-name></group>")), ErrorKind::invalid);
    auto no_uri = parse_group_advertisement(advertisement("<group/>"));
    ASSERT_FALSE(no_uri);
    EXPECT_EQ(no_uri.error().reason, "<group> without <uri>");
}

TEST(GroupAdvertisement, RefusesInvalidContent)
{
    EXPECT_EQ(error_kind_of(advertisement("<group type=\"chat\"><uri>sip:g@x</uri></group>")), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(advertisement("<group type=\"\"><uri>sip:g@x</uri></group>")), ErrorKind::invalid);
    for (std::string_view uri : {"", "   ", "no-scheme", ":x", "sip:", "1sip:x", "sip:a b@x", "sip:a@x&#10;X: y",
                                 "sip:&lt;a@x&gt;", "sip:caf\xC3\xA9@x"})
        EXPECT_EQ(error_kind_of(advertisement("<group><uri>" + std::string(uri) + "</uri></group>")),
                  ErrorKind::invalid)
            << uri;
    EXPECT_EQ(error_kind_of(advertisement("<note>a</note><note>b</note><group><uri>sip:g@x</uri></group>")),
              ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(advertisement(
                  "<group><display-name>a</display-name><display-name>b</display-name><uri>sip:g@x</uri></group>")),
              ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(advertisement("<group><uri>sip:g@x</uri><subject>s</subject></group>")),
              ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(advertisement("<banner/><group><uri>sip:g@x</uri></group>")), ErrorKind::invalid);
}

TEST(GroupAdvertisement, RefusesWrongRootsAndNamespaces)
{
    EXPECT_EQ(error_kind_of("<group-advertisement><group><uri>sip:g@x</uri></group></group-advertisement>"),
              ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(advertisement("<group><uri>sip:g@x</uri></group>", "urn:oma:params:xml:ns:IM:groups")),
              ErrorKind::invalid);
    EXPECT_EQ(error_kind_of("<group xmlns=\"urn:oma:params:xml:ns:IM:group-advertisement\"><uri>sip:g@x</uri></group>"),
              ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(advertisement("<group><uri>sip:g@x</uri>")), ErrorKind::malformed);
}

TEST(GroupAdvertisement, Limits)
{
    GroupAdvertisementLimits limits;
    limits.max_groups = 2;
    limits.max_uris_per_group = 2;
    const std::string group = "<group><uri>sip:g@x</uri></group>";
    EXPECT_TRUE(parse_group_advertisement(advertisement(group + group), limits));
    EXPECT_EQ(error_kind_of(advertisement(group + group + group), limits), ErrorKind::limit_exceeded);
    EXPECT_EQ(error_kind_of(advertisement("<group><uri>sip:a@x</uri><uri>sip:b@x</uri><uri>sip:c@x</uri></group>"),
                            limits),
              ErrorKind::limit_exceeded);
}

TEST(GroupAdvertisement, TenThousandGroupsAreRefusedByDefaultAndParsedWhenAllowed)
{
    std::string groups;
    for (int i = 0; i < 10'000; ++i) groups += "<group><uri>sip:g" + std::to_string(i) + "@example.com</uri></group>";
    const std::string document = advertisement(groups);
    EXPECT_EQ(error_kind_of(document), ErrorKind::limit_exceeded);
    GroupAdvertisementLimits roomy;
    roomy.max_groups = 10'000;
    auto parsed = parse_group_advertisement(document, roomy);
    ASSERT_TRUE(parsed);
    ASSERT_EQ(parsed->groups.size(), 10'000u);
    EXPECT_EQ(parsed->groups.back().uris.front(), "sip:g9999@example.com");
}

TEST(GroupAdvertisement, NestedGroupsAreInvalid)
{
    EXPECT_EQ(error_kind_of(advertisement("<group><uri>sip:a@x</uri><group><uri>sip:b@x</uri></group></group>")),
              ErrorKind::invalid);
}

TEST(GroupAdvertisement, ContentTypeIsRecognisedCaseInsensitivelyWithParameters)
{
    EXPECT_TRUE(im::xml::is_group_advertisement_type("application/vnd.IM.group-advertisement+xml"));
    EXPECT_TRUE(im::xml::is_group_advertisement_type(" Application/VND.im.Group-Advertisement+XML ; charset=UTF-8"));
    EXPECT_FALSE(im::xml::is_group_advertisement_type("application/resource-lists+xml"));
    EXPECT_FALSE(im::xml::is_group_advertisement_type("application/vnd.IM.group-advertisement"));
    EXPECT_FALSE(im::xml::is_group_advertisement_type(""));
}
