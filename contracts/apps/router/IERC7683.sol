// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// The types and settler interfaces of ERC-7683 (cross-chain intents), as the standard defines them.

/// @notice An order a user signs, given to fillers, and submitted by anyone to the origin settler.
struct GaslessCrossChainOrder {
    address originSettler;
    address user;
    uint256 nonce;
    uint256 originChainId;
    uint32 openDeadline;
    uint32 fillDeadline;
    /// @dev EIP-712 typehash of `orderData`'s layout: says how to decode it.
    bytes32 orderDataType;
    bytes orderData;
}

/// @notice An order the user opens on the origin chain itself.
struct OnchainCrossChainOrder {
    uint32 fillDeadline;
    bytes32 orderDataType;
    bytes orderData;
}

/// @notice What an order means in the standard's terms, for fillers that know nothing of its order data.
struct ResolvedCrossChainOrder {
    address user;
    uint256 originChainId;
    uint32 openDeadline;
    uint32 fillDeadline;
    bytes32 orderId;
    /// @dev What the filler gives up on the destination (at most).
    Output[] maxSpent;
    /// @dev What the filler is paid on the origin (at least).
    Output[] minReceived;
    FillInstruction[] fillInstructions;
}

/// @notice A token amount on a chain; addresses as bytes32 so non-EVM chains fit.
struct Output {
    bytes32 token;
    uint256 amount;
    bytes32 recipient;
    uint256 chainId;
}

/// @notice Where and with what a filler fills one leg of the order.
struct FillInstruction {
    uint256 destinationChainId;
    bytes32 destinationSettler;
    bytes originData;
}

interface IOriginSettler {
    /// @notice An order was opened: its input is escrowed and it may be filled.
    event Open(bytes32 indexed orderId, ResolvedCrossChainOrder resolvedOrder);

    function openFor(GaslessCrossChainOrder calldata order, bytes calldata signature, bytes calldata originFillerData)
        external;

    function open(OnchainCrossChainOrder calldata order) external;

    function resolveFor(GaslessCrossChainOrder calldata order, bytes calldata originFillerData)
        external
        view
        returns (ResolvedCrossChainOrder memory);

    function resolve(OnchainCrossChainOrder calldata order) external view returns (ResolvedCrossChainOrder memory);
}

interface IDestinationSettler {
    function fill(bytes32 orderId, bytes calldata originData, bytes calldata fillerData) external;
}
