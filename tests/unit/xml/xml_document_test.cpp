#include <gtest/gtest.h>

#include "xml/xml_test_support.hpp"

#include <ctime>
#include <string>

#include "im/xml/document.hpp"
#include "im/xml/escape.hpp"

using im::xml::attribute;
using im::xml::ChildElements;
using im::xml::Document;
using im::xml::ErrorKind;
using im::xml::first_child;
using im::xml::is_element;
using im::xml::local_name;
using im::xml::namespace_uri;
using im::xml::ParseLimits;
using im::xml::parse_xs_boolean;
using im::xml::text_of;
using im::xml::trim_xml_space;
using im::xml::xml_escaped;

namespace {

constexpr std::string_view kNs = "urn:example:a";
constexpr std::string_view kOther = "urn:example:b";

using im::xml::testing::cpu_milliseconds_to;
using im::xml::testing::kSlowdown;

std::string nested(std::size_t depth)
{
    std::string doc;
    for (std::size_t i = 0; i < depth; ++i) doc += "<a>";
    for (std::size_t i = 0; i < depth; ++i) doc += "</a>";
    return doc;
}

}  // namespace

TEST(XmlDocument, WalksElementsByNamespaceAndLocalName)
{
    auto doc = Document::parse(R"(<?xml version="1.0" encoding="UTF-8"?>
<r xmlns="urn:example:a" xmlns:b="urn:example:b" plain="1" b:qualified="2">
  <!-- comment --><?pi data?>
  <item>one</item>
  <b:item>foreign</b:item>
  <item>t<![CDATA[w<o>]]>o</item>
</r>)");
    ASSERT_TRUE(doc) << doc.error().reason;
    const xmlNode *root = doc->root();
    EXPECT_TRUE(is_element(root, kNs, "r"));
    EXPECT_FALSE(is_element(root, kOther, "r"));
    EXPECT_EQ(local_name(root), "r");
    EXPECT_EQ(namespace_uri(root), kNs);

    EXPECT_EQ(attribute(root, "", "plain"), "1");
    EXPECT_EQ(attribute(root, kOther, "qualified"), "2");
    EXPECT_EQ(attribute(root, "", "qualified"), std::nullopt);
    EXPECT_EQ(attribute(root, kNs, "plain"), std::nullopt);

    std::vector<std::string> texts;
    for (const xmlNode *child : ChildElements(root))
        if (is_element(child, kNs, "item")) texts.push_back(text_of(child));
    EXPECT_EQ(texts, (std::vector<std::string>{"one", "tw<o>o"}));
    EXPECT_EQ(text_of(first_child(root, kOther, "item")), "foreign");
    EXPECT_EQ(first_child(root, kNs, "missing"), nullptr);
}

TEST(XmlDocument, ElementWithoutNamespaceHasEmptyUri)
{
    auto doc = Document::parse("<r><c/></r>");
    ASSERT_TRUE(doc);
    EXPECT_EQ(namespace_uri(doc->root()), "");
    EXPECT_TRUE(is_element(first_child(doc->root(), "", "c"), "", "c"));
}

TEST(XmlDocument, CharacterReferencesAndPredefinedEntitiesAreDecoded)
{
    auto doc = Document::parse("<r a=\"&lt;&#x41;&amp;\">&gt;&#66;</r>");
    ASSERT_TRUE(doc);
    EXPECT_EQ(attribute(doc->root(), "", "a"), "<A&");
    EXPECT_EQ(text_of(doc->root()), ">B");
}

TEST(XmlDocument, MalformedInputReportsTheFirstErrorWithItsLine)
{
    auto doc = Document::parse("<r>\n<a></b>\n</r>");
    ASSERT_FALSE(doc);
    EXPECT_EQ(doc.error().kind, ErrorKind::malformed);
    EXPECT_NE(doc.error().reason.find("line 2"), std::string::npos) << doc.error().reason;
}

TEST(XmlDocument, RefusesEmptyTruncatedAndNonMarkupInput)
{
    for (std::string_view bad : {"", "<r>", "<r></r><extra/>", "hello", "<r>&undefined;</r>", "  ", "<1/>"}) {
        auto doc = Document::parse(bad);
        ASSERT_FALSE(doc) << bad;
        EXPECT_EQ(doc.error().kind, ErrorKind::malformed) << bad;
    }
}

TEST(XmlDocument, AcceptsUtf8ByteOrderMarkAndLeadingWhitespace)
{
    EXPECT_TRUE(Document::parse("\xEF\xBB\xBF<r/>"));
    EXPECT_TRUE(Document::parse("\r\n <r/>"));
}

TEST(XmlDocument, OnlyUtf8IsAccepted)
{
    auto utf16 = Document::parse(std::string("\xFF\xFE<\0r\0/\0>\0", 10));
    ASSERT_FALSE(utf16);
    EXPECT_EQ(utf16.error().kind, ErrorKind::not_allowed);

    auto nul = Document::parse(std::string("<r>\0</r>", 8));
    ASSERT_FALSE(nul);
    EXPECT_EQ(nul.error().kind, ErrorKind::not_allowed);

    // The declaration is ignored: Latin-1 bytes are invalid UTF-8.
    auto latin1 = Document::parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>\xE9</r>");
    ASSERT_FALSE(latin1);
    EXPECT_EQ(latin1.error().kind, ErrorKind::malformed);

    // ...and an unknown or foreign encoding name changes nothing for ASCII.
    EXPECT_TRUE(Document::parse("<?xml version=\"1.0\" encoding=\"EBCDIC-bogus\"?><r>ok</r>"));
    EXPECT_TRUE(Document::parse("<?xml version=\"1.0\" encoding=\"utf-8\"?><r>\xC3\xA9</r>"));
}

TEST(XmlDocument, RefusesInputOverTheByteLimit)
{
    ParseLimits limits;
    limits.max_bytes = 64;
    const std::string doc = "<r>" + std::string(100, 'x') + "</r>";
    auto parsed = Document::parse(doc, limits);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().kind, ErrorKind::too_large);
    limits.max_bytes = doc.size();
    EXPECT_TRUE(Document::parse(doc, limits));
}

TEST(XmlDocument, DepthLimit)
{
    EXPECT_TRUE(Document::parse(nested(64)));
    auto deep = Document::parse(nested(65));
    ASSERT_FALSE(deep);
    EXPECT_EQ(deep.error().kind, ErrorKind::limit_exceeded);
    EXPECT_NE(deep.error().reason.find("deeper than 64"), std::string::npos);
}

TEST(XmlDocument, DepthBombOfTenThousandElementsIsRefusedQuickly)
{
    const std::string bomb = nested(10'000);
    std::optional<im::xml::Error> error;
    const double ms = cpu_milliseconds_to([&] {
        auto parsed = Document::parse(bomb);
        if (!parsed) error = parsed.error();
    });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind, ErrorKind::limit_exceeded);
    EXPECT_LT(ms, 100.0 * kSlowdown);
}

TEST(XmlDocument, ElementCountLimit)
{
    ParseLimits limits;
    limits.max_elements = 10;
    std::string doc = "<r>";
    for (int i = 0; i < 9; ++i) doc += "<c/>";
    EXPECT_TRUE(Document::parse(doc + "</r>", limits));
    auto over = Document::parse(doc + "<c/></r>", limits);
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().kind, ErrorKind::limit_exceeded);
}

TEST(XmlDocument, AttributeFloodIsRefusedBeforeLibxml2SeesIt)
{
    // libxml2 2.9 compares every attribute with every other one: 100,000
    // attributes would take seconds.
    std::string flood = "<r ";
    for (int i = 0; i < 100'000; ++i) flood += "a" + std::to_string(i) + "='' ";
    flood += "/>";
    ParseLimits limits;
    limits.max_bytes = flood.size();
    std::optional<im::xml::Error> error;
    const double ms = cpu_milliseconds_to([&] {
        auto parsed = Document::parse(flood, limits);
        if (!parsed) error = parsed.error();
    });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind, ErrorKind::limit_exceeded);
    EXPECT_LT(ms, 100.0 * kSlowdown);

    std::string namespaces = "<r ";
    for (int i = 0; i < 300; ++i) namespaces += "xmlns:p" + std::to_string(i) + "='urn:x' ";
    EXPECT_FALSE(Document::parse(namespaces + "/>"));
}

TEST(XmlDocument, NamespaceDeclarationsInScopeAreLimited)
{
    const auto declarations = [](int level, int count) {
        std::string out;
        for (int i = 0; i < count; ++i)
            out += " xmlns:p" + std::to_string(level) + "_" + std::to_string(i) + "='urn:x" + std::to_string(i) + "'";
        return out;
    };
    // 64 + 64 in scope at once: the limit exactly.
    EXPECT_TRUE(Document::parse("<r" + declarations(0, 64) + "><c" + declarations(1, 64) + "/></r>"));
    auto over = Document::parse("<r" + declarations(0, 64) + "><c" + declarations(1, 65) + "/></r>");
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().kind, ErrorKind::limit_exceeded);
    // Declarations leave scope with their element: siblings may each declare many.
    std::string siblings = "<r>";
    for (int i = 0; i < 50; ++i) siblings += "<c" + declarations(i, 100) + "/>";
    EXPECT_TRUE(Document::parse(siblings + "</r>"));
}

TEST(XmlDocument, NamespaceStackingAttackIsRefusedQuickly)
{
    // Prefix lookup in libxml2 scans every declaration in scope: 63 levels of
    // 250 declarations under elements full of root-prefixed attributes took
    // 16 s before the in-scope limit.
    std::string attack;
    for (int level = 0; level < 63; ++level) {
        attack += "<e";
        for (int i = 0; i < 250; ++i)
            attack += " xmlns:q" + std::to_string(level) + "_" + std::to_string(i) + "='u'";
        attack += ">";
    }
    while (attack.size() < 900'000) {
        attack += "<a";
        for (int i = 0; i < 250; ++i) attack += " q0_0:a" + std::to_string(i) + "=''";
        attack += "/>";
    }
    for (int level = 0; level < 63; ++level) attack += "</e>";
    std::optional<im::xml::Error> error;
    const double ms = cpu_milliseconds_to([&] {
        auto parsed = Document::parse(attack);
        if (!parsed) error = parsed.error();
    });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind, ErrorKind::limit_exceeded);
    EXPECT_LT(ms, 100.0 * kSlowdown);
}

TEST(XmlDocument, AttributeCountIgnoresEqualsSignsInValuesCommentsAndText)
{
    ParseLimits limits;
    limits.max_attributes_per_element = 2;
    EXPECT_TRUE(Document::parse("<r a='x=y=z' b=\"==\"><!-- a=b c=d e=f --><c>= = = =</c><![CDATA[a=b c=d e=f]]></r>",
                                limits));
    EXPECT_FALSE(Document::parse("<r a='1' b='2' c='3'/>", limits));
}

TEST(XmlDocument, Libxml2NeverWritesToStderr)
{
    testing::internal::CaptureStderr();
    for (std::string_view bad : {"<r><a></r>", "<r>\xFF\xFE</r>", "<?xml version=\"9\"?><r/>", "<r a='1' a='2'/>",
                                 "<r xmlns:p='' p:a='1'/>", "<p:r/>", "<r>&#0;</r>", "<r/><!DOCTYPE r>",
                                 "<?xml version=\"1.0\" encoding=\"bogus\"?><r>\x80</r>"})
        EXPECT_FALSE(Document::parse(bad)) << bad;
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(XmlDocument, DocumentIsMovable)
{
    auto parsed = Document::parse("<r/>");
    ASSERT_TRUE(parsed);
    Document moved = std::move(parsed).value();
    EXPECT_EQ(local_name(moved.root()), "r");
    static_assert(!std::is_copy_constructible_v<Document>);
}

TEST(XmlValues, XsBooleanLexicalSpace)
{
    EXPECT_EQ(parse_xs_boolean("true"), true);
    EXPECT_EQ(parse_xs_boolean(" 1\n"), true);
    EXPECT_EQ(parse_xs_boolean("false"), false);
    EXPECT_EQ(parse_xs_boolean("0"), false);
    for (std::string_view bad : {"", "TRUE", "yes", "2", "t rue"}) EXPECT_EQ(parse_xs_boolean(bad), std::nullopt) << bad;
    EXPECT_EQ(trim_xml_space(" \t\r\nx y\n"), "x y");
    EXPECT_EQ(trim_xml_space("   "), "");
}

TEST(XmlEscape, EscapesMarkupAndWhitespaceThatAttributesWouldNormalize)
{
    EXPECT_EQ(xml_escaped("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
    EXPECT_EQ(xml_escaped("x\ty\r\nz"), "x&#9;y&#13;&#10;z");
    EXPECT_EQ(xml_escaped("caf\xC3\xA9 \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(XmlEscape, ReplacesWhatIsNotXmlOrNotUtf8)
{
    const std::string replacement = "\xEF\xBF\xBD";
    EXPECT_EQ(xml_escaped(std::string("a\0b", 3)), "a" + replacement + "b");
    EXPECT_EQ(xml_escaped("\x01\x1F"), replacement + replacement);
    EXPECT_EQ(xml_escaped("\xFF"), replacement);
    EXPECT_EQ(xml_escaped("\xC0\xAF"), replacement + replacement);        // overlong '/'
    EXPECT_EQ(xml_escaped("\xED\xA0\x80"), replacement + replacement + replacement);  // surrogate
    EXPECT_EQ(xml_escaped("\xEF\xBF\xBE"), replacement);                   // U+FFFE
    EXPECT_EQ(xml_escaped("\xE2\x82"), replacement + replacement);         // truncated
    // Whatever goes in, the result parses.
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    EXPECT_TRUE(Document::parse("<r a=\"" + xml_escaped(all) + "\">" + xml_escaped(all) + "</r>"));
}
