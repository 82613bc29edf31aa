// Appendix H: the availability document the IM server publishes.
#include "im/xml/im_presence.hpp"

#include <gtest/gtest.h>

#include "im/xml/document.hpp"

namespace {

using im::xml::Document;

const xmlNode *child(const xmlNode *parent, std::string_view ns, std::string_view name)
{
    for (const xmlNode *n = parent ? parent->children : nullptr; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && im::xml::local_name(n) == name && im::xml::namespace_uri(n) == ns) return n;
    return nullptr;
}

constexpr std::string_view kPidf = "urn:ietf:params:xml:ns:pidf";
constexpr std::string_view kOma = "urn:oma:xml:prs:pidf:oma-pres";

}  // namespace

TEST(ImPresence, OpenDocumentCarriesTheImServiceDescription)
{
    auto doc = Document::parse(im::xml::im_availability_document("sip:alice@example.com", true));
    ASSERT_TRUE(doc) << doc.error().reason;
    const xmlNode *presence = doc->root();
    EXPECT_EQ(im::xml::local_name(presence), "presence");
    EXPECT_EQ(im::xml::namespace_uri(presence), kPidf);
    const xmlNode *tuple = child(presence, kPidf, "tuple");
    ASSERT_NE(tuple, nullptr);
    EXPECT_EQ(im::xml::text_of(child(child(tuple, kPidf, "status"), kPidf, "basic")), "open");
    const xmlNode *service = child(tuple, kOma, "service-description");
    EXPECT_EQ(im::xml::text_of(child(service, kOma, "service-id")), "org.openmobilealliance:IM");
    EXPECT_EQ(im::xml::text_of(child(service, kOma, "version")), "1.0");
}

TEST(ImPresence, ClosedDocumentAndAnEntityThatNeedsEscaping)
{
    const std::string text = im::xml::im_availability_document("sip:a\"<&>@example.com", false);
    auto doc = Document::parse(text);
    ASSERT_TRUE(doc) << doc.error().reason;
    EXPECT_NE(text.find("<basic>closed</basic>"), std::string::npos);
    EXPECT_NE(text.find("entity=\"sip:a&quot;&lt;&amp;&gt;@example.com\""), std::string::npos);
}
