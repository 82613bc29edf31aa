#pragma once
// The MSRP endpoint behind im-msrp-client, without the socket: it binds the
// connection, cuts queued messages into chunks, answers and reassembles what
// arrives, sends the REPORTs it is asked for, and describes everything that
// happens as one line of text per event. Unit-tested against the relay's
// switch; the CLI only moves bytes.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "im/msrp/ids.hpp"
#include "im/msrp/message.hpp"
#include "im/msrp/reassembler.hpp"
#include "im/msrp/uri.hpp"
#include "msrp_relay/digest.hpp"

namespace im::msrp_relay {

struct ClientOptions {
    im::msrp::Path to_path;        // the SDP a=path of the far end, first hop first
    im::msrp::Uri self;            // our URI, the From-Path
    std::size_t chunk_size = 64 * 1024;
    bool success_report = false;   // ask for Success REPORTs
    im::msrp::FailureReport failure_report = im::msrp::FailureReport::yes;
    // RFC 4976: the client's own relay. With it the session starts with an
    // AUTH to this URI (answering a Digest challenge with credentials), and
    // the Use-Path of its 200 goes in front of to_path.
    std::optional<im::msrp::Uri> relay;
    std::optional<DigestCredentials> credentials;
    // Media types this endpoint takes ("*" and "type/*" allowed); a SEND of
    // another type is answered 415 (RFC 4975 7.3) and not delivered.
    std::vector<std::string> accept_types = {"*"};
    // Payloads go to ClientReaction::output. A large message (Byte-Range
    // total over 64 KB, not CPIM) that starts while no other message is
    // unfinished goes there chunk by chunk as it arrives, in order, instead
    // of being held whole: messages completed meanwhile follow it.
    bool stream_output = false;
    // The far end's path is not known yet (to_path empty): the binding SEND
    // waits (after AUTH, when there is a relay) until set_to_path() gives it,
    // as when both ends of a session learn each other's path by SDP.
    bool await_to_path = false;
};

// A message as received, unwrapped from CPIM when it came wrapped.
struct ReceivedMessage {
    std::string message_id;
    std::string from;          // CPIM From, else the first From-Path URI
    std::string content_type;  // of the payload
    std::string payload;
};

// One chunk ready to write: head, body and tail go out back to back (a
// gathered write). The body stays where the message's bytes are, not
// copied; keep holds those bytes alive (null for bytes the caller owns).
struct ChunkWire {
    std::string head;
    std::shared_ptr<const std::string> keep;
    std::string_view body;
    std::string tail;

    std::size_t size() const { return head.size() + body.size() + tail.size(); }
    std::string joined() const;
};

struct ClientReaction {
    std::string bytes;               // to send back: responses and REPORTs
    std::vector<std::string> lines;  // what happened, for the operator
    std::vector<ReceivedMessage> received;
    // With stream_output: first take this many bytes back from the end of
    // the output (a streamed message was aborted), then append output.
    std::uint64_t output_discarded = 0;
    std::string output;
};

class MsrpClientSession {
public:
    MsrpClientSession(ClientOptions options, im::msrp::RandomSource random);

    // The first request to send: the AUTH to the client's relay when it has
    // one (the binding SEND follows its 200 in a ClientReaction), else the
    // empty SEND that binds the connection (RFC 4975 5.4).
    std::string binding_request();
    bool bound() const { return bound_; }
    // With await_to_path: the far end's path has arrived. Returns the binding
    // SEND to write now (empty while AUTH is still going on: it follows the
    // 200). Only the first call counts.
    std::string set_to_path(im::msrp::Path to_path);
    bool awaiting_to_path() const { return options_.await_to_path && !to_path_known_; }

    // Returns the Message-ID the message will carry.
    std::string queue(std::string content_type, std::string bytes);
    // The same for bytes the caller keeps alive and unchanged until the
    // session ends (a mapped file): they are never copied.
    std::string queue_external(std::string content_type, std::string_view bytes);
    // The next chunk to send, or nullopt when nothing is ready (not bound
    // yet, or everything queued has been sent).
    std::optional<ChunkWire> next_chunk_wire();
    // The same as one string (tests, and the TLS path of the CLI).
    std::optional<std::string> next_chunk();

    ClientReaction on_frame(im::msrp::Frame frame);

    // Everything queued was sent and answered, and reported on when Success
    // REPORTs were asked for.
    bool settled() const;
    // A message failed (error response or failure REPORT).
    bool failed() const { return failed_; }
    std::size_t received_count() const { return received_count_; }

private:

    std::string queue_bytes(std::string content_type, std::shared_ptr<const std::string> owned,
                            std::string_view bytes);
    struct Progress {
        std::size_t unanswered = 0;
        bool all_sent = false;
        bool reported = false;
        bool settled = false;              // counted out of unsettled_
        std::uint64_t reported_bytes = 0;  // Success REPORTs may come per chunk (RFC 4975 7.1.2)
        std::uint64_t total = 0;
    };
    // Hashed: one insert per message and no ordering needed. Elements stay
    // put when the table rehashes, so Outgoing and the transaction table
    // point at them.
    using ProgressMap = std::unordered_map<std::string, Progress>;
    using ProgressEntry = ProgressMap::value_type;
    struct Outgoing {
        std::string message_id;
        std::string content_type;
        std::shared_ptr<const std::string> owned;  // null for external bytes
        std::string_view bytes;                     // into owned, or the caller's
        std::uint64_t offset = 0;
        ProgressEntry *progress = nullptr;
    };
    // Counts the message out of unsettled_ once it is settled.
    void note_settled(Progress &progress);

    void on_request(im::msrp::Request request, ClientReaction &reaction);
    void on_response(const im::msrp::Response &response, ClientReaction &reaction);
    void on_auth_response(const im::msrp::Response &response, ClientReaction &reaction);
    std::string auth_request(const std::optional<std::string> &authorization);
    std::string bind_send();
    bool accepts(std::string_view content_type) const;
    // stream_output: true when the chunk was taken by the streamed message.
    bool stream_chunk(im::msrp::Request &request, ClientReaction &reaction);
    void complete_streamed(const im::msrp::Request &last, ClientReaction &reaction);
    void output_payload(std::string_view payload, ClientReaction &reaction);

    struct Streamed {
        std::string message_id;
        std::string content_type;
        std::uint64_t written = 0;
    };
    std::optional<Streamed> streamed_;
    std::string deferred_output_;  // messages completed while one streams

    ClientOptions options_;
    im::msrp::RandomSource random_;
    std::string binding_transaction_;
    std::string auth_transaction_;
    bool auth_answered_ = false;  // a challenge was answered once; a second 401 fails
    bool authenticated_ = false;  // the relay's 200 came (or there is no relay)
    bool to_path_known_ = false;  // with await_to_path: set_to_path() was called
    im::msrp::Path use_path_;     // from the relay's 200
    bool bound_ = false;
    bool failed_ = false;
    std::deque<Outgoing> queue_;
    // Chunks in flight, oldest first, with their message. Responses come
    // in the order of the chunks over the one connection, so the answered
    // one is found at the front (a hash table per chunk cost a fifth of the
    // sender's CPU on 1 KB messages); anything else is searched for.
    struct InFlight {
        std::string transaction_id;
        ProgressEntry *progress = nullptr;
    };
    std::deque<InFlight> in_flight_;
    ProgressMap progress_;
    // Messages queued and not settled yet: settled() is asked once per poll
    // round, and walking every message was quadratic over a long --stdin.
    std::size_t unsettled_ = 0;
    // "To-Path: ...\r\nFrom-Path: ...\r\n" of every chunk; rebuilt after AUTH.
    std::string paths_text_;
    // A client holds whole files it receives: up to 1 GB, rather than the
    // codec's 16 MB default meant for servers.
    im::msrp::Reassembler incoming_{im::msrp::ReassemblyLimits{1ull << 30, 1ull << 30, 64, true}};
    std::size_t received_count_ = 0;
};

// Text for one output line: backslash, CR, LF and other control bytes escaped.
std::string escape_for_line(std::string_view text);

}  // namespace im::msrp_relay
