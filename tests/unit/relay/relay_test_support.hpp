#pragma once
// Shared by the relay's session-logic tests: a deterministic random source,
// requests built from fields, and parsing of the switch's output.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "im/msrp/ids.hpp"
#include "im/msrp/message.hpp"
#include "im/msrp/parser.hpp"
#include "im/msrp/uri.hpp"

namespace im::msrp_relay::testing {

inline im::msrp::RandomSource seeded_random(std::uint64_t seed = 42)
{
    auto engine = std::make_shared<std::mt19937_64>(seed);
    return [engine] { return (*engine)(); };
}

inline im::msrp::Uri uri(std::string_view text)
{
    auto parsed = im::msrp::parse_uri(text);
    EXPECT_TRUE(parsed.ok()) << text;
    return parsed.ok() ? parsed.value() : im::msrp::Uri{};
}

inline im::msrp::Path path(std::string_view text)
{
    auto parsed = im::msrp::parse_path(text);
    EXPECT_TRUE(parsed.ok()) << text;
    return parsed.ok() ? parsed.value() : im::msrp::Path{};
}

// A SEND chunk; no body when content_type is empty.
inline im::msrp::Request send(std::string transaction_id, im::msrp::Path to, im::msrp::Path from,
                              std::string message_id, std::string content_type = {}, std::string body = {},
                              std::optional<im::msrp::ByteRange> range = std::nullopt,
                              im::msrp::Continuation continuation = im::msrp::Continuation::complete)
{
    im::msrp::Request request;
    request.transaction_id = std::move(transaction_id);
    request.method = "SEND";
    request.to_path = std::move(to);
    request.from_path = std::move(from);
    request.fields.set(im::msrp::MessageId{std::move(message_id)});
    if (!content_type.empty()) {
        std::uint64_t size = body.size();
        request.fields.set(range.value_or(im::msrp::ByteRange{1, size, size}));
        request.body = im::msrp::Body{std::move(content_type), std::move(body)};
    }
    request.continuation = continuation;
    return request;
}

// Parses bytes the switch produced; every one of them must be valid MSRP.
inline std::vector<im::msrp::Frame> frames_of(const std::string &bytes)
{
    im::msrp::Parser parser;
    std::vector<im::msrp::Frame> frames;
    EXPECT_TRUE(parser.feed(bytes, frames)) << (parser.error() ? parser.error()->reason : "") << "\n" << bytes;
    EXPECT_TRUE(parser.between_frames());
    return frames;
}

inline const im::msrp::Request &as_request(const im::msrp::Frame &frame)
{
    static const im::msrp::Request empty;
    const auto *request = std::get_if<im::msrp::Request>(&frame);
    EXPECT_NE(request, nullptr);
    return request ? *request : empty;
}

inline const im::msrp::Response &as_response(const im::msrp::Frame &frame)
{
    static const im::msrp::Response empty;
    const auto *response = std::get_if<im::msrp::Response>(&frame);
    EXPECT_NE(response, nullptr);
    return response ? *response : empty;
}

}  // namespace im::msrp_relay::testing
