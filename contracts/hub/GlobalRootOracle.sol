// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title GlobalRootOracle
/// @notice Lives on every rollup and remembers the L1 hub's global roots that have reached it.
/// @dev A production rollup derives these writes from L1 (as OP Stack's L1-attributes deposit does);
///      in the Junction devnet the rollup's system account writes them, relayed by the root importer.
contract GlobalRootOracle {
    /// @notice The only account allowed to import roots.
    address public immutable systemAccount;

    /// @notice L1 global-root index of the newest imported root.
    uint256 public latestIndex;
    /// @notice The newest imported global root.
    bytes32 public latestRoot;
    /// @notice Rollup timestamp at which each root was imported (zero: unknown).
    mapping(bytes32 globalRoot => uint256 importedAt) public importedAt;

    /// @notice A global root from the L1 hub became usable on this rollup.
    event GlobalRootImported(bytes32 indexed globalRoot, uint256 indexed index, uint256 l1BlockNumber);

    /// @notice Only the system account imports roots.
    error NotSystemAccount(address caller);
    /// @notice Roots are imported in hub order; this one is not newer than the latest.
    error StaleGlobalRoot(uint256 index, uint256 latestIndex);
    /// @notice The zero root is never a global root.
    error ZeroGlobalRoot();

    constructor(address systemAccount_) {
        systemAccount = systemAccount_;
    }

    /// @notice Imports global root number `index` of the hub, read at L1 block `l1BlockNumber`.
    function importRoot(bytes32 globalRoot, uint256 index, uint256 l1BlockNumber) external {
        if (msg.sender != systemAccount) revert NotSystemAccount(msg.sender);
        if (globalRoot == bytes32(0)) revert ZeroGlobalRoot();
        if (index <= latestIndex) revert StaleGlobalRoot(index, latestIndex);
        latestIndex = index;
        latestRoot = globalRoot;
        importedAt[globalRoot] = block.timestamp;
        emit GlobalRootImported(globalRoot, index, l1BlockNumber);
    }

    /// @notice Whether `globalRoot` has been imported.
    function isKnown(bytes32 globalRoot) external view returns (bool) {
        return importedAt[globalRoot] != 0;
    }
}
