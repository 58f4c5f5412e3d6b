// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title MarginMessages
/// @notice The bodies the CollateralVaults and the hub's MarginEngine exchange. Every body is
///         `abi.encode(uint8 kind, address account, address token, uint256 amount)`: a deposit names the
///         account to credit, a release or a seizure the receiver the vault pays. The TypeScript twin is
///         `src/protocol/margin.ts`.
library MarginMessages {
    /// @notice Vault -> hub: credit `account` with `amount` of `token` held by the vault on the source.
    uint8 internal constant DEPOSIT = 1;
    /// @notice Hub -> vault: pay a withdrawal of `amount` of `token` to `account`.
    uint8 internal constant RELEASE = 2;
    /// @notice Hub -> vault: pay seized collateral to the liquidator `account`.
    uint8 internal constant SEIZE = 3;

    /// @notice Handler gas a deposit credit gets on the hub, and a payout on a vault.
    uint64 internal constant GAS_LIMIT = 200_000;
    /// @notice How long a margin message stays deliverable: a month for relayers to get it through;
    ///         after that its expiry notice returns the money to where it came from.
    uint64 internal constant TTL = 30 days;

    function encode(uint8 kind, address account, address token, uint256 amount) internal pure returns (bytes memory) {
        return abi.encode(kind, account, token, amount);
    }

    function decode(bytes calldata body)
        internal
        pure
        returns (uint8 kind, address account, address token, uint256 amount)
    {
        return abi.decode(body, (uint8, address, address, uint256));
    }
}
