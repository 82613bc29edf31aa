#pragma once
// Incremental MSRP framing (RFC 4975 sections 5.1, 7.1 and 9): bytes go in
// as they arrive from the connection, in pieces of any size, and complete
// requests and responses come out. No I/O; one Parser per connection.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "im/msrp/message.hpp"
#include "im/msrp/result.hpp"

namespace im::msrp {

struct ParserLimits {
    // Start line, headers and the blank line (or the end-line of a bodiless
    // frame). Real headers are a few hundred bytes; 16 KB leaves room for
    // long paths and Digest credentials.
    std::size_t max_header_bytes = 16 * 1024;
    // One SEND chunk's body. Senders interrupt long chunks (RFC 4975 5.1),
    // common clients use 2 KB to 64 KB chunks.
    std::size_t max_body_bytes = 1024 * 1024;
    // Bodies of REPORT, AUTH and unknown methods: RFC 4975 7.1 caps
    // non-SEND bodies at 10240 octets.
    std::size_t max_non_send_body_bytes = 10240;
};

// Finds the end-line "CRLF -------<transaction-id><flag> CRLF" in body bytes
// fed in pieces. Linear: it skips to the next CR with memchr, and since CR
// occurs in the end-line only at its two CRLFs, a failed partial match never
// needs to look back.
class EndLineScanner {
public:
    // Starts a body. The CRLF of the blank line before the body counts as the
    // end-line's CRLF, so an empty body also ends on "\r\n\r\n-------tid$\r\n".
    void start(std::string_view transaction_id);

    struct Scan {
        std::size_t consumed = 0;  // bytes up to and including the end-line when found, else all
        bool found = false;
    };
    Scan scan(std::string_view bytes);

    // Of the bytes scanned so far, how many at the end belong to the end-line
    // (the partial match, or the whole end-line once found) and not to the body.
    std::size_t held_back() const { return matched_ - virtual_prefix_; }
    Continuation flag() const { return static_cast<Continuation>(flag_); }

private:
    bool expects(char c) const;

    std::string pattern_;             // "\r\n-------" + transaction id
    std::size_t matched_ = 0;         // bytes of pattern + flag + CRLF matched
    std::size_t virtual_prefix_ = 0;  // 2 while the match started at the blank line
    char flag_ = '$';
};

class Parser {
public:
    explicit Parser(ParserLimits limits = {});

    // Parses bytes, appending each completed frame to frames. Returns false
    // once the stream is broken: error() says why, the frames before the
    // error are still appended, and all further input is ignored.
    bool feed(std::string_view bytes, std::vector<Frame> &frames);

    const std::optional<ParseError> &error() const { return error_; }
    // True when no partial frame is buffered (a clean place to close).
    bool between_frames() const { return state_ == State::start_line && line_.empty(); }

private:
    enum class State { start_line, headers, body, failed };

    std::size_t feed_head(std::string_view bytes, std::vector<Frame> &frames);
    std::size_t feed_body(std::string_view bytes, std::vector<Frame> &frames);
    std::optional<ParseError> on_line(std::string_view line, std::vector<Frame> &frames);
    std::optional<ParseError> on_start_line(std::string_view line);
    std::optional<ParseError> on_header(std::string_view line);
    std::optional<ParseError> on_blank_line();
    std::optional<ParseError> on_end_line(std::string_view line, std::vector<Frame> &frames);
    std::optional<ParseError> check_paths() const;
    void finish_frame(std::vector<Frame> &frames);
    void fail(ParseError error);

    ParserLimits limits_;
    State state_ = State::start_line;
    std::optional<ParseError> error_;
    std::string line_;              // the header line being received
    std::size_t header_bytes_ = 0;  // of the current frame
    bool is_response_ = false;
    Request request_;
    Response response_;
    std::optional<std::string> content_type_;
    // The last To-Path and From-Path parsed, by their text: the frames of a
    // connection repeat the same paths, and validating and splitting them
    // again was a twentieth of the relay's CPU. A copy of the parsed path
    // costs the allocations of the parse without its work.
    struct ParsedPath {
        std::string text;
        Path path;
    };
    ParsedPath last_paths_[2];  // To-Path, From-Path
    std::size_t body_limit_ = 0;
    EndLineScanner end_line_;
};

}  // namespace im::msrp
