#include "im/msrp/serializer.hpp"

#include <algorithm>

namespace im::msrp {
namespace {

void append_header(std::string &out, std::string_view name, std::string_view value)
{
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
}

void append_paths_and_fields(std::string &out, const Path &to_path, const Path &from_path,
                             const HeaderFields &fields)
{
    append_header(out, "To-Path", to_string(to_path));
    append_header(out, "From-Path", to_string(from_path));
    for (const Field &field : fields.all()) append_header(out, field_name(field), field_value(field));
}

void append_end_line(std::string &out, std::string_view transaction_id, Continuation continuation)
{
    out += "-------";
    out += transaction_id;
    out += static_cast<char>(continuation);
    out += "\r\n";
}

}  // namespace

void append_head(std::string &out, const Request &request)
{
    out += "MSRP ";
    out += request.transaction_id;
    out += ' ';
    out += request.method;
    out += "\r\n";
    append_paths_and_fields(out, request.to_path, request.from_path, request.fields);
    if (request.body) {
        append_header(out, "Content-Type", request.body->content_type);
        out += "\r\n";
    }
}

void append_tail(std::string &out, const Request &request)
{
    if (request.body) out += "\r\n";
    append_end_line(out, request.transaction_id, request.continuation);
}

void append_wire(std::string &out, const Request &request)
{
    // One allocation for a large body, still geometric growth for a buffer of many frames.
    std::size_t needed = out.size() + 512 + (request.body ? request.body->bytes.size() : 0);
    if (needed > out.capacity()) out.reserve(std::max(needed, 2 * out.capacity()));
    append_head(out, request);
    if (request.body) out += request.body->bytes;
    append_tail(out, request);
}

void append_wire(std::string &out, const Response &response)
{
    int code = std::clamp(response.status_code, 0, 999);
    out += "MSRP ";
    out += response.transaction_id;
    out += ' ';
    out += static_cast<char>('0' + code / 100);
    out += static_cast<char>('0' + code / 10 % 10);
    out += static_cast<char>('0' + code % 10);
    if (!response.comment.empty()) {
        out += ' ';
        out += response.comment;
    }
    out += "\r\n";
    append_paths_and_fields(out, response.to_path, response.from_path, response.fields);
    append_end_line(out, response.transaction_id, Continuation::complete);
}

void append_wire(std::string &out, const Frame &frame)
{
    std::visit([&out](const auto &message) { append_wire(out, message); }, frame);
}

std::string serialize(const Request &request)
{
    std::string out;
    append_wire(out, request);
    return out;
}

std::string serialize(const Response &response)
{
    std::string out;
    append_wire(out, response);
    return out;
}

std::string serialize(const Frame &frame)
{
    std::string out;
    append_wire(out, frame);
    return out;
}

std::string end_line(std::string_view transaction_id, Continuation continuation)
{
    std::string out;
    append_end_line(out, transaction_id, continuation);
    return out;
}

}  // namespace im::msrp
