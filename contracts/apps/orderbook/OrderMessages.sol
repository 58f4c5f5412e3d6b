// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title OrderMessages
/// @notice The bodies OrderGateways exchange to settle a fill whose two orders live on two rollups. A fill
///         is `abi.encode(FILL, marketId, fromOrder, fromOwner, fromIsBuy, toOrder, price, amount, auction,
///         createdAt)` (`auction`: a sealed-order round + 1, 0 for the continuous book; `createdAt`: the
///         sending gateway's block time, which the counterparty compares with a cancel request); an
///         answer is `abi.encode(kind, fillMessageId, reason, receiver)` — four fields — with kind CONFIRM
///         (reason 0, receiver: the counterparty's owner, paid the reserved leg) or REJECT (reason: the
///         refusal's selector, receiver 0). Only the gateways encode and decode these bodies; TypeScript
///         has no encoder for them (`src/protocol/orderbook.ts` is the twin of order ids, escrows and
///         quotes only).
/// @dev A fill message expires after the gateway's `fillTtl`: it must exceed the slowest trust path the
///      gateway chose for its peers (a fill proven later than that is released unpaid, never paid twice),
///      and a cancel completes only `fillTtl + clockSkew` after its request (so keep `fillTtl` short).
///      The devnet's tokens have no transfer hooks; a listed token with hooks could re-enter the Inbox
///      from a payout (the gateway's own entry points are nonReentrant).
library OrderMessages {
    /// @notice First gateway -> the counterparty's gateway: check your order, pay your leg, answer.
    uint8 internal constant FILL = 1;
    /// @notice Answer: the counterparty paid; pay the reserved leg.
    uint8 internal constant CONFIRM = 2;
    /// @notice Answer: the counterparty's order refused the fill (`reason` names why); unreserve.
    uint8 internal constant REJECT = 3;

    /// @notice Handler gas of a fill (checks, one payout, the answer's Outbox append).
    uint64 internal constant FILL_GAS = 500_000;
    /// @notice Handler gas of an answer (one payout, perhaps a refund).
    uint64 internal constant ANSWER_GAS = 300_000;
    /// @notice Answers never expire: once the counterparty paid, the reserved leg must always be payable.
    uint64 internal constant NEVER_EXPIRES = type(uint64).max;

    /// @notice A fill body as its fields (all static: it decodes the flat tuple `encodeFill` writes).
    struct FillBody {
        uint8 kind;
        bytes32 marketId;
        uint256 fromOrder;
        address fromOwner;
        bool fromIsBuy;
        uint256 toOrder;
        uint256 price;
        uint256 amount;
        uint64 auction;
        uint64 createdAt;
    }

    function encodeFill(
        bytes32 marketId,
        uint256 fromOrder,
        address fromOwner,
        bool fromIsBuy,
        uint256 toOrder,
        uint256 price,
        uint256 amount,
        uint64 auction,
        uint64 createdAt
    ) internal pure returns (bytes memory) {
        return abi.encode(FILL, marketId, fromOrder, fromOwner, fromIsBuy, toOrder, price, amount, auction, createdAt);
    }

    function encodeAnswer(uint8 kind, bytes32 fillMessageId, bytes4 reason, address receiver)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encode(kind, fillMessageId, reason, receiver);
    }

    function kindOf(bytes calldata body) internal pure returns (uint8) {
        return abi.decode(body[:32], (uint8));
    }
}
