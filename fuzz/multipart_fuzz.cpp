// The pager-mode URI-list MESSAGE path from arbitrary bytes: the first line
// is the Content-Type header value, the rest the body. Splits it, and when a
// recipient list comes out, parses that too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "im/xml/multipart.hpp"
#include "im/xml/resource_lists.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    const auto newline = input.find('\n');
    const std::string_view content_type = input.substr(0, newline);
    const std::string_view body = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);

    im::xml::MultipartLimits limits;
    auto parts = im::xml::split_multipart(content_type, body, limits);
    if (parts.ok()) {
        if (parts.value().empty() || parts.value().size() > limits.max_parts) std::abort();
        for (const auto &part : parts.value()) {
            if (part.headers.size() > limits.max_headers_per_part || part.body.size() > body.size()) std::abort();
            (void)part.media_type();
            (void)part.disposition();
        }
    }
    auto message = im::xml::split_uri_list_message(content_type, body, limits);
    if (message.ok()) {
        if (message.value().recipient_list.disposition() != "recipient-list") std::abort();
        (void)im::xml::parse_resource_lists(message.value().recipient_list.body);
    }
    return 0;
}
