#include "im/msrp/message.hpp"

#include <algorithm>

#include "im/msrp/syntax.hpp"

namespace im::msrp {
namespace {

using namespace syntax;

constexpr std::string_view kMessageId = "Message-ID";
constexpr std::string_view kByteRange = "Byte-Range";
constexpr std::string_view kSuccessReport = "Success-Report";
constexpr std::string_view kFailureReport = "Failure-Report";
constexpr std::string_view kStatus = "Status";

ParseError header_error(std::string reason) { return ParseError{ErrorKind::malformed_header, std::move(reason)}; }
ParseError range_error(std::string reason) { return ParseError{ErrorKind::malformed_byte_range, std::move(reason)}; }

// hname = ALPHA *token
bool is_header_name(std::string_view name)
{
    return !name.empty() && is_alpha(name.front()) && std::all_of(name.begin(), name.end(), is_token_char);
}

// Codes outside 0..999 break the model's contract; clamping keeps the
// output parseable whatever the caller did.
std::string three_digits(int value)
{
    value = std::clamp(value, 0, 999);
    return {static_cast<char>('0' + value / 100), static_cast<char>('0' + value / 10 % 10),
            static_cast<char>('0' + value % 10)};
}

std::optional<int> parse_three_digits(std::string_view text)
{
    if (text.size() != 3 || !std::all_of(text.begin(), text.end(), is_digit)) return std::nullopt;
    return (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0');
}

}  // namespace

MethodKind method_kind(std::string_view method)
{
    if (method == "SEND") return MethodKind::send;
    if (method == "REPORT") return MethodKind::report;
    if (method == "AUTH") return MethodKind::auth;
    return MethodKind::other;
}

Result<ByteRange> parse_byte_range(std::string_view value)
{
    std::size_t dash = value.find('-');
    std::size_t slash = value.find('/');
    if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash)
        return range_error("Byte-Range is not <start>-<end>/<total>");
    std::string_view start_text = value.substr(0, dash);
    std::string_view end_text = value.substr(dash + 1, slash - dash - 1);
    std::string_view total_text = value.substr(slash + 1);

    ByteRange range;
    auto start = parse_decimal(start_text);
    if (!start || *start == 0) return range_error("Byte-Range start must be a number from 1");
    range.start = *start;
    if (end_text != "*") {
        range.end = parse_decimal(end_text);
        if (!range.end) return range_error("Byte-Range end must be a number or '*'");
    }
    if (total_text != "*") {
        range.total = parse_decimal(total_text);
        if (!range.total) return range_error("Byte-Range total must be a number or '*'");
    }
    // end == start - 1 is an empty range ("1-0/0").
    if (range.end && *range.end < range.start - 1) return range_error("Byte-Range ends before it starts");
    if (range.total && range.end && *range.end > *range.total) return range_error("Byte-Range ends past its total");
    if (range.total && range.start - 1 > *range.total) return range_error("Byte-Range starts past its total");
    return range;
}

std::string to_string(const ByteRange &range)
{
    std::string out = std::to_string(range.start) + "-";
    out += range.end ? std::to_string(*range.end) : "*";
    out += "/";
    out += range.total ? std::to_string(*range.total) : "*";
    return out;
}

Result<Status> parse_status(std::string_view value)
{
    // namespace SP status-code [SP comment]
    if (value.size() < 7 || value[3] != ' ' || (value.size() > 7 && value[7] != ' '))
        return header_error("Status is not <namespace> <code>[ <comment>]");
    auto code_namespace = parse_three_digits(value.substr(0, 3));
    auto code = parse_three_digits(value.substr(4, 3));
    if (!code_namespace || !code) return header_error("Status namespace and code must be three digits");
    Status status{*code_namespace, *code, {}};
    if (value.size() > 7) status.comment = std::string(value.substr(8));
    return status;
}

std::string to_string(const Status &status)
{
    std::string out = three_digits(status.code_namespace) + " " + three_digits(status.code);
    if (!status.comment.empty()) out += " " + status.comment;
    return out;
}

std::optional<ParseError> HeaderFields::add(std::string_view name, std::string_view raw_value)
{
    std::string_view value = trim(raw_value);
    if (!is_header_name(name)) return header_error("bad header name");
    if (!is_utf8text(value)) return header_error("bad character in the value of " + std::string(name));
    if (iequals(name, "To-Path") || iequals(name, "From-Path") || iequals(name, "Content-Type"))
        return header_error(std::string(name) + " is not a header field of the list");

    auto add_typed = [this](auto typed, std::string_view canonical) -> std::optional<ParseError> {
        if (find<decltype(typed)>()) return header_error("duplicate " + std::string(canonical));
        reserve_first();
        fields_.emplace_back(std::move(typed));
        return std::nullopt;
    };
    if (iequals(name, kMessageId)) {
        if (!is_ident(value)) return header_error("Message-ID is not an ident");
        return add_typed(MessageId{std::string(value)}, kMessageId);
    }
    if (iequals(name, kByteRange)) {
        auto range = parse_byte_range(value);
        if (!range) return range.error();
        return add_typed(range.value(), kByteRange);
    }
    if (iequals(name, kSuccessReport)) {
        if (iequals(value, "yes")) return add_typed(SuccessReport::yes, kSuccessReport);
        if (iequals(value, "no")) return add_typed(SuccessReport::no, kSuccessReport);
        return header_error("Success-Report must be yes or no");
    }
    if (iequals(name, kFailureReport)) {
        if (iequals(value, "yes")) return add_typed(FailureReport::yes, kFailureReport);
        if (iequals(value, "no")) return add_typed(FailureReport::no, kFailureReport);
        if (iequals(value, "partial")) return add_typed(FailureReport::partial, kFailureReport);
        return header_error("Failure-Report must be yes, no or partial");
    }
    if (iequals(name, kStatus)) {
        auto status = parse_status(value);
        if (!status) return status.error();
        return add_typed(status.value(), kStatus);
    }
    reserve_first();
    fields_.emplace_back(Header{std::string(name), std::string(value)});
    return std::nullopt;
}

const std::string *HeaderFields::find_header(std::string_view name) const
{
    for (const Field &field : fields_) {
        const Header *header = std::get_if<Header>(&field);
        if (header && iequals(header->name, name)) return &header->value;
    }
    return nullptr;
}

std::vector<std::string_view> HeaderFields::find_headers(std::string_view name) const
{
    std::vector<std::string_view> values;
    for (const Field &field : fields_) {
        const Header *header = std::get_if<Header>(&field);
        if (header && iequals(header->name, name)) values.push_back(header->value);
    }
    return values;
}

std::size_t HeaderFields::erase_headers(std::string_view name)
{
    return std::erase_if(fields_, [name](const Field &field) {
        const Header *header = std::get_if<Header>(&field);
        return header && iequals(header->name, name);
    });
}

std::string_view field_name(const Field &field)
{
    struct Name {
        std::string_view operator()(const MessageId &) const { return kMessageId; }
        std::string_view operator()(const ByteRange &) const { return kByteRange; }
        std::string_view operator()(SuccessReport) const { return kSuccessReport; }
        std::string_view operator()(FailureReport) const { return kFailureReport; }
        std::string_view operator()(const Status &) const { return kStatus; }
        std::string_view operator()(const Header &header) const { return header.name; }
    };
    return std::visit(Name{}, field);
}

std::string field_value(const Field &field)
{
    struct Value {
        std::string operator()(const MessageId &id) const { return id.value; }
        std::string operator()(const ByteRange &range) const { return to_string(range); }
        std::string operator()(SuccessReport report) const { return report == SuccessReport::yes ? "yes" : "no"; }
        std::string operator()(FailureReport report) const
        {
            switch (report) {
            case FailureReport::no: return "no";
            case FailureReport::partial: return "partial";
            case FailureReport::yes: break;
            }
            return "yes";
        }
        std::string operator()(const Status &status) const { return to_string(status); }
        std::string operator()(const Header &header) const { return header.value; }
    };
    return std::visit(Value{}, field);
}

SuccessReport success_report(const Request &request)
{
    const SuccessReport *report = request.fields.find<SuccessReport>();
    return report ? *report : SuccessReport::no;
}

FailureReport failure_report(const Request &request)
{
    const FailureReport *report = request.fields.find<FailureReport>();
    return report ? *report : FailureReport::yes;
}

bool is_media_type(std::string_view value)
{
    std::size_t semicolon = std::min(value.find(';'), value.size());
    std::string_view type_and_subtype = trim(value.substr(0, semicolon));
    std::size_t slash = type_and_subtype.find('/');
    if (slash == std::string_view::npos) return false;
    return is_token(type_and_subtype.substr(0, slash)) && is_token(type_and_subtype.substr(slash + 1)) &&
           is_utf8text(value.substr(semicolon));
}

}  // namespace im::msrp
