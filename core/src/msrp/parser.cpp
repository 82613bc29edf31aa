#include "im/msrp/parser.hpp"

#include <algorithm>
#include <cstring>

#include "im/msrp/syntax.hpp"

namespace im::msrp {
namespace {

using namespace syntax;

constexpr std::string_view kStartPrefix = "MSRP ";
constexpr std::string_view kEndLineDashes = "-------";
constexpr std::string_view kCrlf = "\r\n";

bool is_flag(char c) { return c == '$' || c == '+' || c == '#'; }

ParseError start_line_error(std::string reason)
{
    return ParseError{ErrorKind::malformed_start_line, std::move(reason)};
}
ParseError header_error(std::string reason) { return ParseError{ErrorKind::malformed_header, std::move(reason)}; }
ParseError body_error(std::string reason) { return ParseError{ErrorKind::malformed_body, std::move(reason)}; }

bool is_header_name(std::string_view name)
{
    return !name.empty() && is_alpha(name.front()) && std::all_of(name.begin(), name.end(), is_token_char);
}

}  // namespace

void EndLineScanner::start(std::string_view transaction_id)
{
    pattern_.assign(kCrlf);
    pattern_ += kEndLineDashes;
    pattern_ += transaction_id;
    matched_ = kCrlf.size();
    virtual_prefix_ = kCrlf.size();
    flag_ = '$';
}

bool EndLineScanner::expects(char c) const
{
    if (matched_ < pattern_.size()) return c == pattern_[matched_];
    if (matched_ == pattern_.size()) return is_flag(c);
    return c == kCrlf[matched_ - pattern_.size() - 1];
}

EndLineScanner::Scan EndLineScanner::scan(std::string_view bytes)
{
    const std::size_t end_line_size = pattern_.size() + 1 + kCrlf.size();
    std::size_t i = 0;
    while (i < bytes.size()) {
        if (matched_ == 0) {
            // Nothing pending: jump to the next CR, the only byte that can start an end-line.
            const void *cr = std::memchr(bytes.data() + i, '\r', bytes.size() - i);
            if (cr == nullptr) return {bytes.size(), false};
            i = static_cast<std::size_t>(static_cast<const char *>(cr) - bytes.data()) + 1;
            matched_ = 1;
            continue;
        }
        char c = bytes[i++];
        if (expects(c)) {
            if (matched_ == pattern_.size()) flag_ = c;
            if (++matched_ == end_line_size) return {i, true};
        } else {
            // The end-line holds CR only at its CRLFs, so the longest prefix
            // that can still match ends at this byte: CR or nothing.
            virtual_prefix_ = 0;
            matched_ = c == '\r' ? 1 : 0;
        }
    }
    return {bytes.size(), false};
}

Parser::Parser(ParserLimits limits) : limits_(limits) {}

bool Parser::feed(std::string_view bytes, std::vector<Frame> &frames)
{
    while (!bytes.empty() && state_ != State::failed) {
        std::size_t used = state_ == State::body ? feed_body(bytes, frames) : feed_head(bytes, frames);
        bytes.remove_prefix(used);
    }
    return state_ != State::failed;
}

std::size_t Parser::feed_head(std::string_view bytes, std::vector<Frame> &frames)
{
    const void *newline = std::memchr(bytes.data(), '\n', bytes.size());
    std::size_t take = newline == nullptr
                           ? bytes.size()
                           : static_cast<std::size_t>(static_cast<const char *>(newline) - bytes.data()) + 1;
    if (take > limits_.max_header_bytes - header_bytes_) {
        fail({ErrorKind::header_too_large,
              "headers exceed " + std::to_string(limits_.max_header_bytes) + " bytes"});
        return take;
    }
    line_.append(bytes.data(), take);
    header_bytes_ += take;
    if (newline != nullptr) {
        std::optional<ParseError> error = on_line(line_, frames);
        line_.clear();
        if (error) fail(std::move(*error));
    }
    return take;
}

std::size_t Parser::feed_body(std::string_view bytes, std::vector<Frame> &frames)
{
    EndLineScanner::Scan scan = end_line_.scan(bytes);
    std::string &body = request_.body->bytes;
    std::size_t data_size = body.size() + scan.consumed - end_line_.held_back();
    if (data_size > body_limit_) {
        fail({ErrorKind::body_too_large, "body exceeds " + std::to_string(body_limit_) + " bytes"});
        return scan.consumed;
    }
    body.append(bytes.data(), scan.consumed);
    if (scan.found) {
        body.resize(data_size);
        request_.continuation = end_line_.flag();
        finish_frame(frames);
    }
    return scan.consumed;
}

std::optional<ParseError> Parser::on_line(std::string_view line, std::vector<Frame> &frames)
{
    if (line.size() < kCrlf.size() || !line.ends_with(kCrlf)) {
        std::string reason = "line not terminated by CRLF";
        return state_ == State::start_line ? start_line_error(reason) : header_error(reason);
    }
    line.remove_suffix(kCrlf.size());
    if (state_ == State::start_line) {
        if (auto error = on_start_line(line)) return error;
        state_ = State::headers;
        return std::nullopt;
    }
    if (line.empty()) return on_blank_line();
    if (line.starts_with(kEndLineDashes)) return on_end_line(line, frames);
    return on_header(line);
}

std::optional<ParseError> Parser::on_start_line(std::string_view line)
{
    // req-start = "MSRP" SP transact-id SP method
    // resp-start = "MSRP" SP transact-id SP status-code [SP comment]
    if (!line.starts_with(kStartPrefix)) return start_line_error("start line does not begin with \"MSRP \"");
    line.remove_prefix(kStartPrefix.size());
    std::size_t space = line.find(' ');
    if (space == std::string_view::npos) return start_line_error("start line without method or status code");
    std::string_view transaction_id = line.substr(0, space);
    if (!is_ident(transaction_id)) return start_line_error("bad transaction id");
    std::string_view rest = line.substr(space + 1);

    if (!rest.empty() && is_digit(rest.front())) {
        std::string_view code = rest.substr(0, 3);
        if (code.size() != 3 || !std::all_of(code.begin(), code.end(), is_digit) ||
            (rest.size() > 3 && rest[3] != ' '))
            return start_line_error("status code must be three digits");
        std::string_view comment = rest.size() > 3 ? rest.substr(4) : std::string_view{};
        if (!is_utf8text(comment)) return start_line_error("bad character in the response comment");
        is_response_ = true;
        response_.transaction_id = std::string(transaction_id);
        response_.status_code = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
        response_.comment = std::string(comment);
        return std::nullopt;
    }
    if (rest.empty() || !std::all_of(rest.begin(), rest.end(), is_upalpha))
        return start_line_error("method must be upper-case letters");
    is_response_ = false;
    request_.transaction_id = std::string(transaction_id);
    request_.method = std::string(rest);
    return std::nullopt;
}

std::optional<ParseError> Parser::on_header(std::string_view line)
{
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return header_error("header line without ':'");
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    if (!is_header_name(name)) return header_error("bad header name");
    if (!is_utf8text(value)) return header_error("bad character in the value of " + std::string(name));

    bool to_path = iequals(name, "To-Path");
    if (to_path || iequals(name, "From-Path")) {
        Path &path = to_path ? (is_response_ ? response_.to_path : request_.to_path)
                             : (is_response_ ? response_.from_path : request_.from_path);
        if (!path.empty()) return header_error("duplicate " + std::string(name));
        ParsedPath &last = last_paths_[to_path ? 0 : 1];
        if (last.path.empty() || value != last.text) {
            auto parsed = parse_path(value);
            if (!parsed) return parsed.error();
            last.text.assign(value);
            last.path = std::move(parsed).value();
        }
        path = last.path;
        return std::nullopt;
    }
    if (iequals(name, "Content-Type")) {
        if (is_response_) return header_error("Content-Type in a response");
        if (content_type_) return header_error("duplicate Content-Type");
        if (!is_media_type(value)) return header_error("Content-Type is not a media type");
        content_type_ = std::string(value);
        return std::nullopt;
    }
    return (is_response_ ? response_.fields : request_.fields).add(name, value);
}

std::optional<ParseError> Parser::check_paths() const
{
    const Path &to = is_response_ ? response_.to_path : request_.to_path;
    const Path &from = is_response_ ? response_.from_path : request_.from_path;
    if (to.empty()) return header_error("missing To-Path");
    if (from.empty()) return header_error("missing From-Path");
    return std::nullopt;
}

std::optional<ParseError> Parser::on_blank_line()
{
    if (auto error = check_paths()) return error;
    if (is_response_) return body_error("a response carries no body");
    if (!content_type_) return body_error("body without Content-Type");
    request_.body = Body{std::move(*content_type_), {}};
    content_type_.reset();
    body_limit_ = request_.kind() == MethodKind::send ? limits_.max_body_bytes : limits_.max_non_send_body_bytes;
    // A chunk that announces its size gets its buffer at once; the end-line
    // passes through the buffer before it is cut off.
    const ByteRange *range = request_.fields.find<ByteRange>();
    if (range && range->end && *range->end >= range->start) {
        std::uint64_t announced = *range->end - range->start + 1;
        request_.body->bytes.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(announced, body_limit_)) + 64);
    }
    end_line_.start(request_.transaction_id);
    state_ = State::body;
    return std::nullopt;
}

std::optional<ParseError> Parser::on_end_line(std::string_view line, std::vector<Frame> &frames)
{
    const std::string &transaction_id = is_response_ ? response_.transaction_id : request_.transaction_id;
    std::string_view id_and_flag = line.substr(kEndLineDashes.size());
    if (id_and_flag.size() != transaction_id.size() + 1 || !id_and_flag.starts_with(transaction_id) ||
        !is_flag(id_and_flag.back()))
        return ParseError{ErrorKind::malformed_end_line, "end-line does not match the transaction id"};
    if (auto error = check_paths()) return error;
    if (content_type_) return body_error("Content-Type without a body");
    // A response is never chunked; its flag carries no information.
    if (!is_response_) request_.continuation = static_cast<Continuation>(id_and_flag.back());
    finish_frame(frames);
    return std::nullopt;
}

void Parser::finish_frame(std::vector<Frame> &frames)
{
    if (is_response_) frames.emplace_back(std::move(response_));
    else frames.emplace_back(std::move(request_));
    request_ = Request{};
    response_ = Response{};
    content_type_.reset();
    is_response_ = false;
    header_bytes_ = 0;
    state_ = State::start_line;
}

void Parser::fail(ParseError error)
{
    error_ = std::move(error);
    state_ = State::failed;
    line_ = std::string{};
    request_ = Request{};
    response_ = Response{};
}

}  // namespace im::msrp
