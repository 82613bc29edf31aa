#include <gtest/gtest.h>

#include "xml/xml_test_support.hpp"

#include <ctime>
#include <string>

#include "im/xml/multipart.hpp"
#include "im/xml/resource_lists.hpp"

using im::xml::ErrorKind;
using im::xml::header_parameter;
using im::xml::media_type_of;
using im::xml::MimeHeader;
using im::xml::MultipartLimits;
using im::xml::split_multipart;
using im::xml::split_uri_list_message;

namespace {

using im::xml::testing::cpu_milliseconds_to;
using im::xml::testing::kSlowdown;

constexpr std::string_view kContentType = "multipart/mixed;boundary=\"boundary1\"";

// A URI-list MESSAGE body in the shape of RFC 5365 section 4.
const std::string kUriListBody =
    "--boundary1\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "Hello World!\r\n"
    "--boundary1\r\n"
    "Content-Type: application/resource-lists+xml\r\n"
    "Content-Disposition: recipient-list\r\n"
    "\r\n"
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
    "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"\r\n"
    "    xmlns:cp=\"urn:ietf:params:xml:ns:copycontrol\">\r\n"
    "  <list>\r\n"
    "    <entry uri=\"sip:bill@example.com\" cp:copyControl=\"to\" />\r\n"
    "    <entry uri=\"sip:joe@example.org\" cp:copyControl=\"cc\" />\r\n"
    "    <entry uri=\"sip:ted@example.net\" cp:copyControl=\"bcc\" />\r\n"
    "  </list>\r\n"
    "</resource-lists>\r\n"
    "--boundary1--\r\n";

ErrorKind split_error(std::string_view content_type, std::string_view body, const MultipartLimits &limits = {})
{
    auto parts = split_multipart(content_type, body, limits);
    EXPECT_FALSE(parts) << body;
    return parts ? ErrorKind::invalid : parts.error().kind;
}

ErrorKind uri_list_error(std::string_view body, std::string_view content_type = kContentType)
{
    auto message = split_uri_list_message(content_type, body);
    EXPECT_FALSE(message) << body;
    return message ? ErrorKind::invalid : message.error().kind;
}

}  // namespace

TEST(XmlMultipart, SplitsTheUriListMessage)
{
    auto message = split_uri_list_message(kContentType, kUriListBody);
    ASSERT_TRUE(message) << message.error().reason;
    EXPECT_EQ(message->message.body, "Hello World!");
    EXPECT_EQ(message->message.media_type(), "text/plain");
    EXPECT_EQ(message->recipient_list.media_type(), "application/resource-lists+xml");
    EXPECT_EQ(message->recipient_list.disposition(), "recipient-list");

    auto list = im::xml::parse_resource_lists(message->recipient_list.body);
    ASSERT_TRUE(list) << list.error().reason;
    EXPECT_EQ(list->entries.size(), 3u);
    // The line break before a delimiter belongs to the delimiter.
    EXPECT_TRUE(message->recipient_list.body.ends_with("</resource-lists>"));
}

TEST(XmlMultipart, PartsKeepTheirHeadersAndExactBodies)
{
    const std::string body =
        "preamble to be ignored\r\n"
        "--b\r\n"
        "Content-Type: text/plain;\r\n"
        "  charset=utf-8\r\n"
        "X-Empty:\r\n"
        "\r\n"
        "line one\r\n"
        "\r\n"
        "--b-not-a-delimiter\r\n"
        "--b\t \r\n"
        "\r\n"
        "no headers\r\n"
        "--b--\r\n"
        "epilogue --b\r\n";
    auto parts = split_multipart("multipart/mixed; boundary=b", body);
    ASSERT_TRUE(parts) << parts.error().reason;
    ASSERT_EQ(parts->size(), 2u);
    const auto &first = parts.value()[0];
    EXPECT_EQ(first.headers, (std::vector<MimeHeader>{{"Content-Type", "text/plain; charset=utf-8"}, {"X-Empty", ""}}));
    EXPECT_EQ(first.body, "line one\r\n\r\n--b-not-a-delimiter");
    EXPECT_EQ(*first.header("content-type"), "text/plain; charset=utf-8");
    EXPECT_EQ(first.header("Content-Disposition"), nullptr);
    EXPECT_EQ(first.disposition(), "");
    const auto &second = parts.value()[1];
    EXPECT_TRUE(second.headers.empty());
    EXPECT_EQ(second.media_type(), "text/plain");  // RFC 2046 default
    EXPECT_EQ(second.body, "no headers");
}

TEST(XmlMultipart, AcceptsBareLineFeeds)
{
    auto parts = split_multipart("multipart/mixed;boundary=x", "--x\nContent-Type: a/b\n\nbody\n--x--");
    ASSERT_TRUE(parts) << parts.error().reason;
    ASSERT_EQ(parts->size(), 1u);
    EXPECT_EQ(parts.value()[0].body, "body");
    EXPECT_EQ(parts.value()[0].media_type(), "a/b");
}

TEST(XmlMultipart, EmptyPartsAndEmptyBodies)
{
    auto parts = split_multipart("multipart/mixed;boundary=x", "--x\r\n\r\n\r\n--x\r\n--x--");
    ASSERT_TRUE(parts) << parts.error().reason;
    ASSERT_EQ(parts->size(), 2u);
    EXPECT_EQ(parts.value()[0].body, "");
    EXPECT_TRUE(parts.value()[1].headers.empty());
    EXPECT_EQ(parts.value()[1].body, "");
}

TEST(XmlMultipart, BoundaryParameterForms)
{
    EXPECT_EQ(header_parameter("multipart/mixed; boundary=abc", "boundary"), "abc");
    EXPECT_EQ(header_parameter("multipart/mixed;BOUNDARY = \"a b;c\" ; x=1", "boundary"), "a b;c");
    EXPECT_EQ(header_parameter("multipart/mixed; x=\"q\\\"uote\"; boundary=z", "x"), "q\"uote");
    EXPECT_EQ(header_parameter("multipart/mixed; x=1; boundary=z", "boundary"), "z");
    EXPECT_EQ(header_parameter("multipart/mixed", "boundary"), std::nullopt);
    EXPECT_EQ(header_parameter("multipart/mixed; boundary=", "boundary"), std::nullopt);
    EXPECT_EQ(header_parameter("multipart/mixed; boundary=\"open", "boundary"), std::nullopt);
    EXPECT_EQ(header_parameter("multipart/mixed; boundaryx=1", "boundary"), std::nullopt);

    EXPECT_EQ(media_type_of(" Multipart/Mixed ; boundary=x"), "multipart/mixed");
    EXPECT_EQ(media_type_of("text"), "");
    EXPECT_EQ(media_type_of("/plain"), "");
    EXPECT_EQ(media_type_of("te xt/plain"), "");
}

TEST(XmlMultipart, RefusesBadContentTypes)
{
    const std::string body = "--x\r\n\r\nbody\r\n--x--\r\n";
    EXPECT_EQ(split_error("text/plain; boundary=x", body), ErrorKind::invalid);
    EXPECT_EQ(split_error("multipart/mixed", body), ErrorKind::malformed);
    EXPECT_EQ(split_error("multipart/mixed; boundary=\"\"", body), ErrorKind::malformed);
    EXPECT_EQ(split_error("multipart/mixed; boundary=\"ends with space \"", body), ErrorKind::malformed);
    EXPECT_EQ(split_error("multipart/mixed; boundary=\"" + std::string(71, 'a') + "\"", body), ErrorKind::malformed);
    EXPECT_EQ(split_error("multipart/mixed; boundary=\"a\\\\b\"", body), ErrorKind::malformed);
    EXPECT_TRUE(split_multipart("multipart/mixed; boundary=\"" + std::string(70, 'a') + "\"",
                                "--" + std::string(70, 'a') + "\r\n\r\nx\r\n--" + std::string(70, 'a') + "--"));
}

TEST(XmlMultipart, RefusesBrokenBodies)
{
    const std::string_view type = "multipart/mixed;boundary=x";
    EXPECT_EQ(split_error(type, ""), ErrorKind::malformed);
    EXPECT_EQ(split_error(type, "no delimiter at all"), ErrorKind::malformed);
    EXPECT_EQ(split_error(type, "--x--\r\n"), ErrorKind::invalid);                             // no parts
    EXPECT_EQ(split_error(type, "--x\r\n\r\nbody never closed"), ErrorKind::malformed);        // truncated
    EXPECT_EQ(split_error(type, "--x\r\n\r\nbody\r\n--x"), ErrorKind::malformed);               // no line end, no "--"
    EXPECT_EQ(split_error(type, "--x\r\nContent-Type: a/b\r\n--x--"), ErrorKind::malformed);     // headers never end
    EXPECT_EQ(split_error(type, "--x\r\nnot a header\r\n\r\nbody\r\n--x--"), ErrorKind::malformed);
    EXPECT_EQ(split_error(type, "--x\r\n folded first\r\n\r\nbody\r\n--x--"), ErrorKind::malformed);
    EXPECT_EQ(split_error(type, "--x\r\n: no name\r\n\r\nbody\r\n--x--"), ErrorKind::malformed);
    // "--x" inside a line is no delimiter: all of this is preamble.
    EXPECT_EQ(split_error(type, "text--x\r\n\r\nbody\r\n--x--"), ErrorKind::invalid);
}

TEST(XmlMultipart, Limits)
{
    MultipartLimits limits;
    limits.max_parts = 3;
    const auto parts = [](int count) {
        std::string body;
        for (int i = 0; i < count; ++i) body += "--x\r\n\r\npart\r\n";
        return body + "--x--\r\n";
    };
    EXPECT_TRUE(split_multipart("multipart/mixed;boundary=x", parts(3), limits));
    EXPECT_EQ(split_error("multipart/mixed;boundary=x", parts(4), limits), ErrorKind::limit_exceeded);

    limits.max_headers_per_part = 2;
    EXPECT_EQ(split_error("multipart/mixed;boundary=x", "--x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\nbody\r\n--x--", limits),
              ErrorKind::limit_exceeded);

    limits.max_bytes = 10;
    EXPECT_EQ(split_error("multipart/mixed;boundary=x", parts(1), limits), ErrorKind::too_large);
}

TEST(XmlMultipart, HugeNumberOfPartsIsRefusedQuickly)
{
    std::string body;
    while (body.size() < 1000 * 1000) body += "--x\r\n\r\n\r\n";
    const double ms = cpu_milliseconds_to(
        [&] { EXPECT_EQ(split_error("multipart/mixed;boundary=x", body), ErrorKind::limit_exceeded); });
    EXPECT_LT(ms, 100.0 * kSlowdown);

    // Near-delimiters everywhere cost a scan, not a blow-up.
    std::string near = "--x\r\n\r\n";
    while (near.size() < 1000 * 1000) near += "\n--xy";
    const double near_ms =
        cpu_milliseconds_to([&] { EXPECT_EQ(split_error("multipart/mixed;boundary=x", near), ErrorKind::malformed); });
    EXPECT_LT(near_ms, 100.0 * kSlowdown);
}

TEST(XmlMultipart, UriListMessageNeedsExactlyOneListAndOneMessage)
{
    const std::string list_part =
        "--b\r\nContent-Type: application/resource-lists+xml\r\nContent-Disposition: recipient-list\r\n\r\n<x/>\r\n";
    const std::string text_part = "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n";
    const std::string type = "multipart/mixed;boundary=b";

    EXPECT_TRUE(split_uri_list_message(type, list_part + text_part + "--b--"));
    EXPECT_TRUE(split_uri_list_message(type, text_part + list_part + "--b--"));
    EXPECT_EQ(uri_list_error(text_part + "--b--", type), ErrorKind::invalid);
    EXPECT_EQ(uri_list_error(list_part + "--b--", type), ErrorKind::invalid);
    EXPECT_EQ(uri_list_error(list_part + list_part + text_part + "--b--", type), ErrorKind::invalid);
    EXPECT_EQ(uri_list_error(list_part + text_part + text_part + "--b--", type), ErrorKind::invalid);
    EXPECT_EQ(uri_list_error(list_part + text_part + "--b--", "multipart/alternative;boundary=b"),
              ErrorKind::invalid);
    EXPECT_EQ(uri_list_error("--b\r\nContent-Type: text/plain\r\nContent-Disposition: recipient-list\r\n\r\nx\r\n" +
                                 text_part + "--b--",
                             type),
              ErrorKind::invalid);
    EXPECT_EQ(uri_list_error(list_part + text_part, type), ErrorKind::malformed);

    // A resource list without the recipient-list disposition is just content.
    const std::string plain_list = "--b\r\nContent-Type: application/resource-lists+xml\r\n\r\n<x/>\r\n";
    auto message = split_uri_list_message(type, list_part + plain_list + "--b--");
    ASSERT_TRUE(message);
    EXPECT_EQ(message->message.media_type(), "application/resource-lists+xml");

    // Disposition parameters and case do not matter.
    auto handled = split_uri_list_message(
        type, "--b\r\nContent-Type: Application/Resource-Lists+XML; charset=UTF-8\r\nContent-Disposition: "
              "Recipient-List;handling=required\r\n\r\n<x/>\r\n" +
                  text_part + "--b--");
    EXPECT_TRUE(handled) << (handled ? "" : handled.error().reason);
}
