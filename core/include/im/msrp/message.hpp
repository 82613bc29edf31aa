#pragma once
// The MSRP message model (RFC 4975 sections 5-7 and 9, RFC 4976 for AUTH):
// requests and responses as plain values. The parser produces them, the
// serializer writes them back byte for byte in wire order.
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "im/msrp/result.hpp"
#include "im/msrp/uri.hpp"

namespace im::msrp {

// The end-line flag: '$' last chunk, '+' more chunks follow, '#' aborted.
enum class Continuation : char { complete = '$', more = '+', aborted = '#' };

enum class MethodKind { send, report, auth, other };
// Methods are case-sensitive upper-case tokens; anything but SEND, REPORT and
// AUTH is "other" and keeps its name, so a relay can answer 501.
MethodKind method_kind(std::string_view method);

// "Byte-Range: <start>-<end>/<total>", positions 1-based and inclusive;
// '*' (unknown) is nullopt. "1-0/0" describes an empty message.
struct ByteRange {
    std::uint64_t start = 1;
    std::optional<std::uint64_t> end;
    std::optional<std::uint64_t> total;

    bool operator==(const ByteRange &) const = default;
};
// Errors have kind malformed_byte_range.
Result<ByteRange> parse_byte_range(std::string_view value);
std::string to_string(const ByteRange &range);

struct MessageId {
    std::string value;  // an ident: 4 to 32 characters

    bool operator==(const MessageId &) const = default;
};

enum class SuccessReport { no, yes };            // absent means no (RFC 4975 7.1.1)
enum class FailureReport { no, yes, partial };   // absent means yes

// "Status: <namespace> <code>[ <comment>]", e.g. "000 200 OK".
struct Status {
    int code_namespace = 0;  // 000 for RFC 4975 codes
    int code = 200;
    std::string comment;

    bool operator==(const Status &) const = default;
};
Result<Status> parse_status(std::string_view value);
std::string to_string(const Status &status);

// Any other header, kept as written: Use-Path, WWW-Authenticate,
// Authorization, Expires, Min-Expires, Max-Expires, Content-Disposition...
struct Header {
    std::string name;
    std::string value;

    bool operator==(const Header &) const = default;
};

using Field = std::variant<MessageId, ByteRange, SuccessReport, FailureReport, Status, Header>;

// The five header types held typed (at most one of each per message).
template <typename T>
concept TypedField = std::same_as<T, MessageId> || std::same_as<T, ByteRange> || std::same_as<T, SuccessReport> ||
                     std::same_as<T, FailureReport> || std::same_as<T, Status>;

// The header fields between From-Path and Content-Type, in wire order: the
// five RFC 4975 headers typed (at most one of each), every other one raw.
class HeaderFields {
public:
    // Adds "name: value" as received; the typed names are parsed. Refuses
    // duplicates of typed headers and the names the message holds itself
    // (To-Path, From-Path, Content-Type).
    std::optional<ParseError> add(std::string_view name, std::string_view value);

    // The typed header of that type, or nullptr.
    template <TypedField T>
    const T *find() const
    {
        for (const Field &field : fields_)
            if (const T *typed = std::get_if<T>(&field)) return typed;
        return nullptr;
    }
    // Replaces the typed header in place, or appends it.
    template <TypedField T>
    void set(T value)
    {
        for (Field &field : fields_) {
            if (std::holds_alternative<T>(field)) {
                field = std::move(value);
                return;
            }
        }
        fields_.emplace_back(std::move(value));
    }
    template <TypedField T>
    void erase()
    {
        std::erase_if(fields_, [](const Field &field) { return std::holds_alternative<T>(field); });
    }

    // Value of the first raw header with that name (case-insensitive), or nullptr.
    const std::string *find_header(std::string_view name) const;
    std::vector<std::string_view> find_headers(std::string_view name) const;
    std::size_t erase_headers(std::string_view name);

    const std::vector<Field> &all() const { return fields_; }
    bool empty() const { return fields_.empty(); }

    bool operator==(const HeaderFields &) const = default;

private:
    // A SEND chunk has two to four fields: one allocation for them rather
    // than one per growth step (this runs for every frame parsed).
    void reserve_first()
    {
        if (fields_.capacity() == 0) fields_.reserve(4);
    }

    std::vector<Field> fields_;
};

// Canonical spelling of a typed field's header name ("Message-ID"...), or
// the raw header's own name.
std::string_view field_name(const Field &field);
std::string field_value(const Field &field);

struct Body {
    std::string content_type;  // media-type with parameters, e.g. "text/plain; charset=utf-8"
    std::string bytes;

    bool operator==(const Body &) const = default;
};

struct Request {
    std::string transaction_id;
    std::string method;  // "SEND", "REPORT", "AUTH" or any other upper-case token
    Path to_path;
    Path from_path;
    HeaderFields fields;
    // A request with a body always has a Content-Type (RFC 4975 7.1);
    // nullopt is a bodiless request, distinct from an empty body.
    std::optional<Body> body;
    Continuation continuation = Continuation::complete;

    MethodKind kind() const { return method_kind(method); }
    bool operator==(const Request &) const = default;
};

struct Response {
    std::string transaction_id;
    int status_code = 200;  // three digits
    std::string comment;    // empty when the start line has none
    Path to_path;
    Path from_path;
    HeaderFields fields;

    bool operator==(const Response &) const = default;
};

using Frame = std::variant<Request, Response>;

// Effective report settings of a request (RFC 4975 7.1.1 defaults).
SuccessReport success_report(const Request &request);
FailureReport failure_report(const Request &request);

// media-type = type "/" subtype *( ";" gen-param ): the type and subtype
// must be tokens; the parameters are checked to be header text only.
bool is_media_type(std::string_view value);

}  // namespace im::msrp
