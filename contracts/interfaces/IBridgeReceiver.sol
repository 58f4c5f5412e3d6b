// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IBridgeReceiver
/// @notice What a contract implements to be told, in the same transaction, that the TokenBridge minted it
///         tokens sent with `bridgeAndCall` — so it can book them against what they pay for.
/// @dev Implementations must check `msg.sender` is the TokenBridge and should check `from` is a contract
///      they trust on `sourceChainId`. A revert undoes the mint and fails the message (retriable).
interface IBridgeReceiver {
    /// @return The function's selector, or the transfer is refused.
    function onTokensBridged(uint64 sourceChainId, address from, address token, uint256 amount, bytes calldata data)
        external
        returns (bytes4);
}
