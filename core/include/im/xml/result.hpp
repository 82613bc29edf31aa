#pragma once
// What the document parsers return: a value, or the reason there is none.
// Parsers never throw on bad input; callers map the error kind to a reply.
#include <string>
#include <utility>
#include <variant>

namespace im::xml {

// Coarse classes of failure, so a caller can pick a SIP status without
// parsing the reason text.
enum class ErrorKind {
    too_large,       // the input exceeds the byte limit (413)
    malformed,       // not well-formed XML / MIME syntax (400)
    not_allowed,     // DTD, entity declaration, non-UTF-8 encoding (400)
    limit_exceeded,  // depth, element, attribute, entry or part count (400/413)
    invalid,         // well-formed but not the expected document (400)
    unsupported,     // valid but a feature we refuse, e.g. <entry-ref> (403)
};

struct Error {
    ErrorKind kind = ErrorKind::invalid;
    std::string reason;  // one line, no control characters, at most ~200 bytes (see make_error)
};

// Only one of value()/error() is valid: check ok() first.
template <typename T>
class Result {
public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<0>(state_); }
    T &value() & { return std::get<0>(state_); }
    T &&value() && { return std::get<0>(std::move(state_)); }
    const Error &error() const { return std::get<1>(state_); }

    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }

private:
    std::variant<T, Error> state_;
};

// Reasons quote what the peer sent, so they are made safe for a log line or
// a Warning header here: control characters become spaces and anything past
// 200 bytes is cut (at a UTF-8 character boundary) and marked with "...".
Error make_error(ErrorKind kind, std::string reason);

}  // namespace im::xml
