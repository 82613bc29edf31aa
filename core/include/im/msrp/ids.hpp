#pragma once
// Transaction ids and Message-IDs (RFC 4975 7.1: at least 64 bits of
// randomness; 7.1.1: unlikely ever to repeat). The random source is passed
// in: production wraps a CSPRNG or std::random_device, tests a seeded engine.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace im::msrp {

// Uniformly distributed 64-bit values.
using RandomSource = std::function<std::uint64_t()>;

// Letters and digits only (62 symbols, 5.95 bits each): both ids are idents.
// 15 characters (89 bits) fit std::string's in-object buffer: a transaction
// id is copied several times per chunk (parser, response, pending table) and
// a 16th character made every copy a heap allocation.
inline constexpr std::size_t kTransactionIdLength = 15;  // 89 bits
inline constexpr std::size_t kMessageIdLength = 24;      // 142 bits

// length random ALPHANUM characters, unbiased (6-bit draws, 62 and 63 rejected).
std::string random_alphanumeric(std::size_t length, const RandomSource &random);

std::string make_transaction_id(const RandomSource &random);
// A transaction id whose end-line does not occur in body (RFC 4975 7.1
// requires the sender to pick another one if it does).
std::string make_transaction_id(const RandomSource &random, std::string_view body);
std::string make_message_id(const RandomSource &random);

}  // namespace im::msrp
