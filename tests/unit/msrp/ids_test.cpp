#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "im/msrp/ids.hpp"
#include "im/msrp/syntax.hpp"

namespace {

using namespace im::msrp;

RandomSource seeded(std::uint64_t seed)
{
    return [engine = std::mt19937_64(seed)]() mutable { return engine(); };
}

}  // namespace

TEST(MsrpIds, AreIdentsOfTheDocumentedLength)
{
    RandomSource random = seeded(1);
    std::string transaction_id = make_transaction_id(random);
    std::string message_id = make_message_id(random);
    EXPECT_EQ(transaction_id.size(), kTransactionIdLength);
    EXPECT_EQ(message_id.size(), kMessageIdLength);
    EXPECT_TRUE(syntax::is_ident(transaction_id));
    EXPECT_TRUE(syntax::is_ident(message_id));
}

TEST(MsrpIds, CarryAtLeast64BitsOfEntropy)
{
    // 62 symbols carry log2(62) = 5.95 bits each.
    EXPECT_GE(static_cast<double>(kTransactionIdLength) * 5.95, 64.0);
    EXPECT_GE(static_cast<double>(kMessageIdLength) * 5.95, 64.0);
}

TEST(MsrpIds, SameSeedSameIdsDifferentSeedDifferentIds)
{
    RandomSource a = seeded(42), b = seeded(42), c = seeded(43);
    std::string from_a = make_transaction_id(a);
    EXPECT_EQ(from_a, make_transaction_id(b));
    EXPECT_NE(from_a, make_transaction_id(c));
}

TEST(MsrpIds, ManyIdsNeverRepeatAndUseTheWholeAlphabet)
{
    RandomSource random = seeded(7);
    std::set<std::string> seen;
    std::set<char> symbols;
    for (int i = 0; i < 10000; ++i) {
        std::string id = make_transaction_id(random);
        EXPECT_TRUE(seen.insert(id).second);
        symbols.insert(id.begin(), id.end());
    }
    EXPECT_EQ(symbols.size(), 62u);
}

TEST(MsrpIds, DegenerateSourceStillTerminates)
{
    RandomSource all_ones = [] { return UINT64_MAX; };
    EXPECT_EQ(make_transaction_id(all_ones).size(), kTransactionIdLength);
}

TEST(MsrpIds, TransactionIdAvoidsItsEndLineInTheBody)
{
    RandomSource probe = seeded(9);
    std::string first = make_transaction_id(probe);
    std::string body = "text\r\n-------" + first + "$\r\nmore";
    RandomSource random = seeded(9);
    std::string chosen = make_transaction_id(random, body);
    EXPECT_NE(chosen, first);
    EXPECT_EQ(body.find("-------" + chosen), std::string::npos);
}

// The body is looked at in steps of seven bytes: every placement of the
// dashes, runs longer than seven and a clash at the very end are still seen.
TEST(MsrpIds, TransactionIdAvoidsItsEndLineAtAnyOffset)
{
    RandomSource probe = seeded(11);
    std::string first = make_transaction_id(probe);
    for (std::size_t pad = 0; pad < 16; ++pad) {
        for (std::size_t dashes : {7u, 8u, 15u}) {
            std::string body = std::string(pad, 'x') + std::string(dashes, '-') + first;
            RandomSource random = seeded(11);
            std::string chosen = make_transaction_id(random, body);
            EXPECT_NE(chosen, first) << "pad " << pad << " dashes " << dashes;
        }
        // Six dashes are no end-line: the first id is kept.
        std::string harmless = std::string(pad, 'x') + "------" + first;
        RandomSource random = seeded(11);
        EXPECT_EQ(make_transaction_id(random, harmless), first) << "pad " << pad;
    }
}
