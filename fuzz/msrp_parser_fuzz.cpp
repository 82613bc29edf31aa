// MSRP framing (im/msrp/parser.hpp) under arbitrary bytes. The first input
// byte is a control byte: it picks small or default limits and the range of
// piece sizes; the rest is the stream. Properties checked:
//   - feeding in pieces (sizes drawn from the input itself) gives exactly the
//     frames and the error of one feed;
//   - every parsed frame serializes to bytes that parse back to an equal
//     frame, and serializing that frame again gives the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "im/msrp/parser.hpp"
#include "im/msrp/serializer.hpp"

namespace {

using namespace im::msrp;

void require(bool condition, const char *what)
{
    if (condition) return;
    std::fprintf(stderr, "msrp_parser_fuzz: %s\n", what);
    std::abort();
}

struct Parsed {
    std::vector<Frame> frames;
    std::optional<ParseError> error;
};

Parsed parse_whole(std::string_view stream, const ParserLimits &limits)
{
    Parser parser(limits);
    Parsed parsed;
    bool ok = parser.feed(stream, parsed.frames);
    parsed.error = parser.error();
    require(ok == !parsed.error.has_value(), "feed result disagrees with error()");
    return parsed;
}

Parsed parse_in_pieces(std::string_view stream, const ParserLimits &limits, std::uint8_t control)
{
    Parser parser(limits);
    Parsed parsed;
    std::size_t max_piece = (control & 0x40) ? 4 : 97;
    std::size_t at = 0;
    for (std::size_t draw = 0; at < stream.size(); ++draw) {
        auto byte = static_cast<std::uint8_t>(stream[draw % stream.size()]);
        std::size_t piece = 1 + static_cast<std::size_t>(byte ^ control) % max_piece;
        parser.feed(stream.substr(at, piece), parsed.frames);
        at += piece;
    }
    parser.feed({}, parsed.frames);  // an empty feed changes nothing
    parsed.error = parser.error();
    return parsed;
}

void check_round_trip(const Frame &frame)
{
    std::string wire = serialize(frame);
    // The serialized header can be a little longer than the original
    // ("Name:v" becomes "Name: v"), so the second parse gets roomy limits.
    ParserLimits roomy;
    roomy.max_header_bytes = 1 << 20;
    roomy.max_body_bytes = 1 << 22;
    roomy.max_non_send_body_bytes = 1 << 22;
    Parser parser(roomy);
    std::vector<Frame> again;
    bool ok = parser.feed(wire, again);
    if (!ok) std::fprintf(stderr, "reparse error: %s\n%s\n", parser.error()->reason.c_str(), wire.c_str());
    require(ok, "serialized frame does not parse");
    require(again.size() == 1, "serialized frame parses to a different number of frames");
    require(again.front() == frame, "serialized frame parses to a different frame");
    require(serialize(again.front()) == wire, "serialization is not stable");
    require(parser.between_frames(), "serialized frame leaves bytes behind");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0) return 0;
    std::uint8_t control = data[0];
    std::string_view stream(reinterpret_cast<const char *>(data + 1), size - 1);

    ParserLimits limits;
    if (control & 0x80) {
        limits.max_header_bytes = 200;
        limits.max_body_bytes = 300;
        limits.max_non_send_body_bytes = 50;
    }

    Parsed whole = parse_whole(stream, limits);
    if (!stream.empty()) {
        Parsed pieces = parse_in_pieces(stream, limits, control);
        require(pieces.frames == whole.frames, "pieces and whole give different frames");
        require(pieces.error == whole.error, "pieces and whole give different errors");
    }
    for (const Frame &frame : whole.frames) check_round_trip(frame);
    return 0;
}
