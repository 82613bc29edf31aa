#include "msrp_relay/msrp_client_session.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "im/msrp/replies.hpp"
#include "im/msrp/serializer.hpp"
#include "im/sip/text.hpp"
#include "msrp_relay/cpim.hpp"
#include "msrp_relay/session_registry.hpp"

namespace im::msrp_relay {
namespace {

using im::msrp::ByteRange;
using im::msrp::Request;
using im::msrp::Response;

bool is_cpim(std::string_view content_type)
{
    return im::sip::to_lower(content_type.substr(0, content_type.find(';'))) == "message/cpim";
}

ReceivedMessage unwrap(const im::msrp::CompleteMessage &message, const Request &last_chunk)
{
    ReceivedMessage received{message.message_id, {}, message.content_type, message.bytes};
    if (!last_chunk.from_path.empty()) received.from = im::msrp::to_string(last_chunk.from_path.back());
    if (!is_cpim(message.content_type)) return received;
    auto cpim = parse_cpim(message.bytes);
    if (!cpim) return received;
    for (const CpimHeader &header : cpim->headers) {
        if (header.name == "From") received.from = std::string(header.value);
    }
    // The MIME part: content headers, blank line, payload.
    std::size_t blank = cpim->mime_part.find("\r\n\r\n");
    if (cpim->mime_part.starts_with("\r\n")) blank = 0;
    received.content_type = std::string(cpim->payload_type());
    received.payload = blank == std::string_view::npos
                           ? std::string()
                           : std::string(cpim->mime_part.substr(blank + (blank == 0 ? 2 : 4)));
    return received;
}

// Bytes escape_for_line rewrites: backslash, control bytes and DEL.
constexpr std::array<bool, 256> kNeedsEscape = [] {
    std::array<bool, 256> table{};
    for (int byte = 0; byte < 0x20; ++byte) table[byte] = true;
    table[0x7f] = true;
    table['\\'] = true;
    return table;
}();

}  // namespace

std::string escape_for_line(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 16);
    // Runs of plain bytes are copied whole: a line carries up to 4 KB of
    // message text, and byte-by-byte appends were a sixth of the receiving
    // client's CPU on 1 KB messages.
    while (!text.empty()) {
        std::size_t plain = 0;
        while (plain < text.size() && !kNeedsEscape[static_cast<unsigned char>(text[plain])]) ++plain;
        out.append(text.data(), plain);
        if (plain == text.size()) break;
        char c = text[plain];
        auto byte = static_cast<unsigned char>(c);
        if (c == '\\') out += "\\\\";
        else if (c == '\r') out += "\\r";
        else if (c == '\n') out += "\\n";
        else {
            constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0x0f]);
        }
        text.remove_prefix(plain + 1);
    }
    return out;
}

MsrpClientSession::MsrpClientSession(ClientOptions options, im::msrp::RandomSource random)
    : options_(std::move(options)), random_(std::move(random))
{
}

std::string MsrpClientSession::binding_request()
{
    if (options_.relay) return auth_request(std::nullopt);
    authenticated_ = true;
    return awaiting_to_path() ? std::string() : bind_send();
}

std::string MsrpClientSession::set_to_path(im::msrp::Path to_path)
{
    if (!awaiting_to_path()) return {};
    to_path_known_ = true;
    options_.to_path = std::move(to_path);
    options_.to_path.insert(options_.to_path.begin(), use_path_.begin(), use_path_.end());
    paths_text_.clear();
    return authenticated_ ? bind_send() : std::string();
}

std::string MsrpClientSession::auth_request(const std::optional<std::string> &authorization)
{
    // RFC 4976 5.1: To-Path the relay's URI, From-Path ours, no body.
    Request auth;
    auth.transaction_id = im::msrp::make_transaction_id(random_);
    auth.method = "AUTH";
    auth.to_path = {*options_.relay};
    auth.from_path = {options_.self};
    if (authorization) auth.fields.add("Authorization", *authorization);
    auth_transaction_ = auth.transaction_id;
    return im::msrp::serialize(auth);
}

void MsrpClientSession::on_auth_response(const Response &response, ClientReaction &reaction)
{
    auth_transaction_.clear();
    if (response.status_code == im::msrp::kStatusUnauthorized && options_.credentials && !auth_answered_) {
        const std::string *header = response.fields.find_header("WWW-Authenticate");
        auto challenge = header ? parse_digest_challenge(*header) : std::nullopt;
        if (challenge) {
            auth_answered_ = true;
            std::string uri = im::msrp::to_string(*options_.relay);
            std::string cnonce = im::msrp::random_alphanumeric(16, random_);
            reaction.bytes += auth_request(authorization_header(*options_.credentials, *challenge, "AUTH", uri, cnonce));
            return;
        }
    }
    if (response.status_code != im::msrp::kStatusOk) {
        failed_ = true;
        reaction.lines.push_back("auth-failed " + std::to_string(response.status_code) + " " +
                                 escape_for_line(response.comment));
        return;
    }
    // RFC 4976 5.1: the Use-Path goes in front of every To-Path (and into
    // the path this client announces in SDP).
    const std::string *use_path_header = response.fields.find_header("Use-Path");
    auto use_path = im::msrp::parse_path(use_path_header ? std::string_view(*use_path_header) : std::string_view());
    if (use_path_header == nullptr || !use_path.ok()) {
        failed_ = true;
        reaction.lines.push_back("auth-failed 200 without a Use-Path");
        return;
    }
    const std::string *expires = response.fields.find_header("Expires");
    reaction.lines.push_back("authenticated use-path=" + im::msrp::to_string(use_path.value()) +
                             " expires=" + (expires ? escape_for_line(*expires) : std::string("none")));
    authenticated_ = true;
    use_path_ = use_path.value();
    if (awaiting_to_path()) return;  // the binding SEND follows set_to_path()
    options_.to_path.insert(options_.to_path.begin(), use_path_.begin(), use_path_.end());
    paths_text_.clear();
    reaction.bytes += bind_send();
}

std::string MsrpClientSession::bind_send()
{
    Request bind;
    bind.transaction_id = im::msrp::make_transaction_id(random_);
    bind.method = "SEND";
    bind.to_path = options_.to_path;
    bind.from_path = {options_.self};
    bind.fields.set(im::msrp::MessageId{im::msrp::make_message_id(random_)});
    bind.fields.set(ByteRange{1, 0, 0});
    binding_transaction_ = bind.transaction_id;
    return im::msrp::serialize(bind);
}

std::string ChunkWire::joined() const
{
    std::string out;
    out.reserve(size());
    out += head;
    out += body;
    out += tail;
    return out;
}

std::string MsrpClientSession::queue(std::string content_type, std::string bytes)
{
    auto owned = std::make_shared<const std::string>(std::move(bytes));
    std::string_view view = *owned;
    return queue_bytes(std::move(content_type), std::move(owned), view);
}

std::string MsrpClientSession::queue_external(std::string content_type, std::string_view bytes)
{
    return queue_bytes(std::move(content_type), nullptr, bytes);
}

std::string MsrpClientSession::queue_bytes(std::string content_type, std::shared_ptr<const std::string> owned,
                                           std::string_view bytes)
{
    std::string id = im::msrp::make_message_id(random_);
    auto [progress, added] = progress_.try_emplace(id);
    progress->second.total = bytes.size();
    if (added) ++unsettled_;
    queue_.push_back({id, std::move(content_type), std::move(owned), bytes, 0, &*progress});
    return id;
}

std::optional<std::string> MsrpClientSession::next_chunk()
{
    auto wire = next_chunk_wire();
    if (!wire) return std::nullopt;
    return wire->joined();
}

std::optional<ChunkWire> MsrpClientSession::next_chunk_wire()
{
    if (!bound_ || queue_.empty()) return std::nullopt;
    Outgoing &message = queue_.front();
    std::uint64_t total = message.bytes.size();
    std::uint64_t length = std::min<std::uint64_t>(options_.chunk_size, total - message.offset);
    std::string_view body = message.bytes.substr(message.offset, length);

    // The head is written directly rather than through a Request and the
    // serializer: the paths' text is the same for every chunk, and this runs
    // once per chunk (per message for short ones). Same bytes as
    // serialize(), in the same header order.
    if (paths_text_.empty()) {
        paths_text_ = "To-Path: " + im::msrp::to_string(options_.to_path) + "\r\nFrom-Path: " +
                      im::msrp::to_string(options_.self) + "\r\n";
    }
    message.offset += length;
    bool last = message.offset >= total;
    std::string transaction_id = im::msrp::make_transaction_id(random_, body);
    ChunkWire wire;
    std::string &head = wire.head;
    head.reserve(paths_text_.size() + message.message_id.size() + message.content_type.size() + 160);
    head += "MSRP ";
    head += transaction_id;
    head += " SEND\r\n";
    head += paths_text_;
    head += "Message-ID: ";
    head += message.message_id;
    head += "\r\nByte-Range: ";
    head += im::msrp::to_string(ByteRange{message.offset - length + 1, message.offset, total});
    head += "\r\n";
    if (options_.success_report) head += "Success-Report: yes\r\n";
    if (options_.failure_report == im::msrp::FailureReport::no) head += "Failure-Report: no\r\n";
    if (options_.failure_report == im::msrp::FailureReport::partial) head += "Failure-Report: partial\r\n";
    head += "Content-Type: ";
    head += message.content_type;
    head += "\r\n\r\n";
    wire.tail.reserve(transaction_id.size() + 12);
    wire.tail += "\r\n-------";
    wire.tail += transaction_id;
    wire.tail += last ? '$' : '+';
    wire.tail += "\r\n";

    Progress &progress = message.progress->second;
    // Failure-Report yes: every chunk is answered; partial: only errors are,
    // and the chunk is remembered to attribute them; no: nothing comes back.
    if (options_.failure_report != im::msrp::FailureReport::no) {
        in_flight_.push_back({std::move(transaction_id), message.progress});
        if (options_.failure_report == im::msrp::FailureReport::yes) ++progress.unanswered;
    }
    progress.all_sent = last;
    note_settled(progress);
    wire.keep = message.owned;
    wire.body = body;
    if (last) queue_.pop_front();
    return wire;
}

void MsrpClientSession::note_settled(Progress &progress)
{
    if (progress.settled || !progress.all_sent || progress.unanswered > 0 ||
        (options_.success_report && !progress.reported))
        return;
    progress.settled = true;
    --unsettled_;
}

ClientReaction MsrpClientSession::on_frame(im::msrp::Frame frame)
{
    ClientReaction reaction;
    if (auto *request = std::get_if<Request>(&frame))
        on_request(std::move(*request), reaction);
    else
        on_response(std::get<Response>(frame), reaction);
    return reaction;
}

void MsrpClientSession::on_response(const Response &response, ClientReaction &reaction)
{
    if (!auth_transaction_.empty() && response.transaction_id == auth_transaction_) {
        on_auth_response(response, reaction);
        return;
    }
    if (response.transaction_id == binding_transaction_) {
        if (response.status_code == im::msrp::kStatusOk) {
            bound_ = true;
            reaction.lines.push_back("bound " + im::msrp::to_string(options_.self));
        } else {
            failed_ = true;
            reaction.lines.push_back("bind-failed " + std::to_string(response.status_code) + " " +
                                     escape_for_line(response.comment));
        }
        return;
    }
    auto found = std::ranges::find(in_flight_, response.transaction_id, &InFlight::transaction_id);
    if (found == in_flight_.end()) return;
    ProgressEntry &entry = *found->progress;
    if (found == in_flight_.begin()) in_flight_.pop_front();
    else in_flight_.erase(found);
    const std::string &message_id = entry.first;
    Progress &progress = entry.second;
    if (progress.unanswered > 0) --progress.unanswered;
    note_settled(progress);
    if (response.status_code != im::msrp::kStatusOk) {
        failed_ = true;
        reaction.lines.push_back("response " + std::to_string(response.status_code) + " " +
                                 escape_for_line(response.comment) + " message-id=" + message_id);
    } else if (progress.all_sent && progress.unanswered == 0) {
        reaction.lines.push_back("sent message-id=" + message_id + " bytes=" + std::to_string(progress.total));
    }
}

void MsrpClientSession::on_request(Request request, ClientReaction &reaction)
{
    if (request.kind() == im::msrp::MethodKind::report) {
        const im::msrp::Status *status = request.fields.find<im::msrp::Status>();
        const im::msrp::MessageId *id = request.fields.find<im::msrp::MessageId>();
        const ByteRange *range = request.fields.find<ByteRange>();
        std::string message_id = id ? id->value : "";
        int code = status ? status->code : 0;
        reaction.lines.push_back("report message-id=" + message_id + " status=" + std::to_string(code) +
                                 " byte-range=" + (range ? im::msrp::to_string(*range) : "none"));
        auto progress = progress_.find(message_id);
        if (code != im::msrp::kStatusOk) {
            failed_ = true;
        } else if (progress != progress_.end() && range && range->end) {
            Progress &reported = progress->second;
            reported.reported_bytes += *range->end + 1 - range->start;
            reported.reported = reported.reported_bytes >= reported.total;
            note_settled(reported);
        }
        return;
    }
    if (request.kind() != im::msrp::MethodKind::send) {
        im::msrp::append_response(reaction.bytes, request, im::msrp::kStatusUnknownMethod);
        return;
    }
    if (request.body && !accepts(request.body->content_type)) {
        const im::msrp::MessageId *id = request.fields.find<im::msrp::MessageId>();
        if (im::msrp::response_expected(request, im::msrp::kStatusUnsupportedMedia))
            im::msrp::append_response(reaction.bytes, request, im::msrp::kStatusUnsupportedMedia);
        reaction.lines.push_back("refused 415 message-id=" + (id ? id->value : std::string()) +
                                 " content-type=" + escape_for_line(request.body->content_type));
        return;
    }
    if (im::msrp::response_expected(request, im::msrp::kStatusOk))
        im::msrp::append_response(reaction.bytes, request, im::msrp::kStatusOk);
    if (!request.body) return;  // the far end binding its own connection
    if (options_.stream_output && stream_chunk(request, reaction)) return;

    // The head without a copy of the body: the reassembler takes the body.
    auto body = std::exchange(request.body, std::nullopt);
    Request head = request;
    request.body = std::move(body);
    auto outcome = incoming_.add(std::move(request));
    if (!outcome.ok()) {
        reaction.lines.push_back("receive-error " + escape_for_line(outcome.error().reason));
        failed_ = true;
        return;
    }
    if (outcome.value().state != im::msrp::ChunkState::complete) return;
    const im::msrp::CompleteMessage &message = *outcome.value().message;
    ++received_count_;
    if (im::msrp::success_report(head) == im::msrp::SuccessReport::yes) {
        std::uint64_t size = message.bytes.size();
        reaction.bytes += im::msrp::serialize(im::msrp::make_report(
            head, im::msrp::make_transaction_id(random_), im::msrp::kStatusOk, std::nullopt, ByteRange{1, size, size}));
    }
    ReceivedMessage received = unwrap(message, head);
    std::string line = "message from=" + escape_for_line(received.from) + " content-type=" +
                       escape_for_line(received.content_type) + " bytes=" + std::to_string(received.payload.size()) +
                       " message-id=" + received.message_id;
    bool textual = received.content_type.starts_with("text/") ||
                   received.content_type.starts_with("application/im-iscomposing+xml");
    if (textual && received.payload.size() <= 4096) line += " text=" + escape_for_line(received.payload);
    reaction.lines.push_back(std::move(line));
    if (options_.stream_output) output_payload(received.payload, reaction);
    reaction.received.push_back(std::move(received));
}

void MsrpClientSession::output_payload(std::string_view payload, ClientReaction &reaction)
{
    if (streamed_) deferred_output_ += payload;
    else reaction.output += payload;
}

bool MsrpClientSession::stream_chunk(Request &request, ClientReaction &reaction)
{
    // Larger than this, a message is worth writing out as it arrives.
    constexpr std::uint64_t kStreamFrom = 64 * 1024;
    const im::msrp::MessageId *id = request.fields.find<im::msrp::MessageId>();
    const ByteRange *range = request.fields.find<ByteRange>();
    if (id == nullptr) return false;
    if (streamed_ && id->value == streamed_->message_id) {
        if (request.continuation == im::msrp::Continuation::aborted) {
            reaction.output_discarded = streamed_->written;
            streamed_.reset();
            reaction.output += std::exchange(deferred_output_, {});
            return true;
        }
        // What is written cannot be rewritten: chunks must come in order (they
        // do over one connection; a sender resending a range is refused here).
        if (range == nullptr || range->start != streamed_->written + 1) {
            failed_ = true;
            reaction.lines.push_back("receive-error out-of-order chunk of a message streamed to the output");
            return true;
        }
        streamed_->written += request.body->bytes.size();
        reaction.output = std::move(request.body->bytes);
        if (request.continuation == im::msrp::Continuation::complete) complete_streamed(request, reaction);
        return true;
    }
    if (streamed_ || incoming_.open_messages() > 0) return false;
    if (request.continuation != im::msrp::Continuation::more || range == nullptr || range->start != 1 ||
        !range->total || *range->total <= kStreamFrom || is_cpim(request.body->content_type))
        return false;
    streamed_ = Streamed{id->value, request.body->content_type, request.body->bytes.size()};
    reaction.output = std::move(request.body->bytes);
    return true;
}

void MsrpClientSession::complete_streamed(const Request &last, ClientReaction &reaction)
{
    Streamed done = std::move(*streamed_);
    streamed_.reset();
    ++received_count_;
    if (im::msrp::success_report(last) == im::msrp::SuccessReport::yes) {
        Request head = last;
        head.body.reset();
        reaction.bytes += im::msrp::serialize(im::msrp::make_report(head, im::msrp::make_transaction_id(random_),
                                                                     im::msrp::kStatusOk, std::nullopt,
                                                                     ByteRange{1, done.written, done.written}));
    }
    std::string from = last.from_path.empty() ? std::string() : im::msrp::to_string(last.from_path.back());
    reaction.lines.push_back("message from=" + escape_for_line(from) + " content-type=" +
                             escape_for_line(done.content_type) + " bytes=" + std::to_string(done.written) +
                             " message-id=" + done.message_id);
    reaction.received.push_back(ReceivedMessage{done.message_id, from, done.content_type, {}});
    reaction.output += std::exchange(deferred_output_, {});
}

bool MsrpClientSession::accepts(std::string_view content_type) const
{
    return media_type_accepted(options_.accept_types, content_type);
}

bool MsrpClientSession::settled() const { return queue_.empty() && unsettled_ == 0; }

}  // namespace im::msrp_relay
