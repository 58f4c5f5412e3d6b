// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title BondMessages
/// @notice Bodies of the messages a source rollup's BondManager sends to OptimisticVerifiers on other
///         rollups over the canonical path: an attester's bond changed, or the true Outbox root at a count.
library BondMessages {
    uint8 internal constant BOND_UPDATE = 1;
    uint8 internal constant ROOT_REPORT = 2;

    /// @param version Increases with every update of this attester, so a late delivery never wins.
    /// @param slashed The bond was taken by a fraud proof: every checkpoint of this attester not yet
    ///        confirmed is void.
    /// @param withdrawalDelay The source's delay between a withdrawal request and the payout, which must
    ///        outlast the destination's challenge window plus its settlement timeout.
    function bondUpdate(address attester, uint256 activeBond, uint256 version, bool slashed, uint256 withdrawalDelay)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encode(BOND_UPDATE, abi.encode(attester, activeBond, version, slashed, withdrawalDelay));
    }

    function rootReport(uint256 count, bytes32 root) internal pure returns (bytes memory) {
        return abi.encode(ROOT_REPORT, abi.encode(count, root));
    }
}
