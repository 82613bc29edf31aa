#include "im/msrp/replies.hpp"

namespace im::msrp {
namespace {

Path receiving_node(const Request &request)
{
    if (request.to_path.empty()) return {};
    return {request.to_path.front()};
}

}  // namespace

std::string_view default_comment(int status_code)
{
    switch (status_code) {
    case kStatusOk: return "OK";
    case kStatusBadRequest: return "Bad Request";
    case kStatusUnauthorized: return "Unauthorized";
    case kStatusForbidden: return "Forbidden";
    case kStatusTimeout: return "Request Timeout";
    case kStatusStopSending: return "Stop Sending Message";
    case kStatusUnsupportedMedia: return "Unsupported Media Type";
    case kStatusOutOfBounds: return "Interval Out Of Bounds";
    case kStatusNoSession: return "Session Does Not Exist";
    case kStatusUnknownMethod: return "Method Not Implemented";
    case kStatusSessionInUse: return "Session Already Bound";
    default: return {};
    }
}

bool response_expected(const Request &request, int status_code)
{
    if (request.kind() == MethodKind::report) return false;  // 7.1.2: never answer a REPORT
    switch (failure_report(request)) {
    case FailureReport::no: return false;
    case FailureReport::partial: return status_code != kStatusOk;
    case FailureReport::yes: break;
    }
    return true;
}

Response make_response(const Request &request, int status_code, std::optional<std::string> comment)
{
    Response response;
    response.transaction_id = request.transaction_id;
    response.status_code = status_code;
    response.comment = comment ? std::move(*comment) : std::string(default_comment(status_code));
    if (request.kind() == MethodKind::send) {
        if (!request.from_path.empty()) response.to_path = {request.from_path.front()};
    } else {
        response.to_path = request.from_path;
    }
    response.from_path = receiving_node(request);
    return response;
}

void append_response(std::string &out, const Request &request, int status_code)
{
    const std::string &transaction_id = request.transaction_id;
    std::string_view comment = default_comment(status_code);
    int code = status_code < 0 ? 0 : status_code > 999 ? 999 : status_code;
    out.reserve(out.size() + 2 * transaction_id.size() + comment.size() + 200);
    out += "MSRP ";
    out += transaction_id;
    out += ' ';
    out += static_cast<char>('0' + code / 100);
    out += static_cast<char>('0' + code / 10 % 10);
    out += static_cast<char>('0' + code % 10);
    if (!comment.empty()) {
        out += ' ';
        out += comment;
    }
    out += "\r\nTo-Path: ";
    // The same choice of URIs as make_response.
    if (request.kind() != MethodKind::send) out += to_string(request.from_path);
    else if (!request.from_path.empty()) out += to_string(request.from_path.front());
    out += "\r\nFrom-Path: ";
    if (!request.to_path.empty()) out += to_string(request.to_path.front());
    out += "\r\n-------";
    out += transaction_id;
    out += "$\r\n";
}

Request make_report(const Request &send, std::string transaction_id, int status_code,
                    std::optional<std::string> comment, std::optional<ByteRange> range)
{
    Request report;
    report.transaction_id = std::move(transaction_id);
    report.method = "REPORT";
    report.to_path = send.from_path;
    report.from_path = receiving_node(send);
    if (const MessageId *id = send.fields.find<MessageId>()) report.fields.set(*id);
    if (!range) {
        const ByteRange *sent = send.fields.find<ByteRange>();
        std::uint64_t received = send.body ? send.body->bytes.size() : 0;
        ByteRange derived;
        derived.start = sent ? sent->start : 1;
        derived.end = derived.start + received - 1;
        if (sent) derived.total = sent->total;
        else if (send.continuation == Continuation::complete) derived.total = received;
        // A sender that sent more than it announced gets an unknown total, not an invalid range.
        if (derived.total && *derived.end > *derived.total) derived.total.reset();
        range = derived;
    }
    report.fields.set(*range);
    report.fields.set(Status{0, status_code,
                             comment ? std::move(*comment) : std::string(default_comment(status_code))});
    return report;
}

}  // namespace im::msrp
