#pragma once
// Errors of the MSRP codec and the value-or-error type its functions return.
// The data path never throws: a peer's bytes are untrusted, and a broken
// frame is an ordinary outcome that ends the connection, not an exception.
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace im::msrp {

// What was wrong with the bytes; the relay closes the connection on any of
// them, the kind is for logs, counters and tests.
enum class ErrorKind {
    malformed_start_line,  // not "MSRP <transaction-id> <method>" / "MSRP <transaction-id> <code>[ <comment>]"
    malformed_header,      // bad header line or value, duplicate or missing To-Path / From-Path
    malformed_uri,         // an MSRP URI in a path does not follow RFC 4975 section 9
    malformed_byte_range,  // Byte-Range value out of grammar or inconsistent (end before start...)
    malformed_body,        // body without Content-Type, Content-Type without body, body in a response
    malformed_end_line,    // a "-------" line that is not this transaction's end-line
    header_too_large,      // start line plus headers exceed ParserLimits::max_header_bytes
    body_too_large,        // body exceeds ParserLimits::max_body_bytes (or the non-SEND limit)
};

std::string_view to_string(ErrorKind kind);

struct ParseError {
    ErrorKind kind = ErrorKind::malformed_start_line;
    std::string reason;  // human readable, for logs

    bool operator==(const ParseError &) const = default;
};

// A value or the reason there is none. Constructed implicitly from either,
// so functions simply `return value;` or `return ParseError{...};`.
template <typename T, typename E = ParseError>
class Result {
public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    Result(E error) : state_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    // Only valid when ok().
    const T &value() const & { return std::get<0>(state_); }
    T &value() & { return std::get<0>(state_); }
    T &&value() && { return std::get<0>(std::move(state_)); }
    // Only valid when !ok().
    const E &error() const { return std::get<1>(state_); }

private:
    std::variant<T, E> state_;
};

}  // namespace im::msrp
