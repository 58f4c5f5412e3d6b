// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {MerkleTree} from "../messaging/MerkleTree.sol";
import {CheckpointLeaf, GLOBAL_TREE_DEPTH} from "./CheckpointLeaf.sol";

/// @title RollupHub
/// @notice The L1 finality anchor. Each registered rollup's proposer posts Outbox checkpoints
///         `(chainId, count, root)`; the hub folds the latest checkpoint of every rollup into one global
///         root (a fixed-depth Merkle tree indexed by registration order) and remembers every global root.
/// @dev In a production rollup the checkpoint would be read from the rollup's proven output root; here
///      the registered proposer is trusted for it, which the README states.
contract RollupHub is Ownable {
    uint256 public constant MAX_ROLLUPS = 1 << GLOBAL_TREE_DEPTH;

    struct Rollup {
        bool registered;
        uint32 index;
        address proposer;
        uint256 count;
        bytes32 root;
    }

    mapping(uint64 chainId => Rollup) private _rollups;
    uint64[] private _chainIds;
    /// @dev Tree nodes by (level, index); level 0 holds the leaves.
    mapping(uint256 level => mapping(uint256 index => bytes32)) private _nodes;
    bytes32[GLOBAL_TREE_DEPTH] private _zeros;

    /// @notice Number of global roots produced so far; the latest has this index.
    uint256 public globalRootCount;
    mapping(uint256 index => bytes32 root) public globalRootAt;
    mapping(bytes32 root => uint256 index) public globalRootIndex;

    /// @notice A rollup joined the hub at leaf `index`.
    event RollupRegistered(uint64 indexed chainId, uint32 index, address proposer);
    /// @notice A rollup's proposer changed.
    event ProposerChanged(uint64 indexed chainId, address proposer);
    /// @notice A checkpoint was accepted and produced global root number `globalIndex`.
    event CheckpointPosted(
        uint64 indexed chainId,
        uint32 leafIndex,
        uint256 count,
        bytes32 root,
        bytes32 indexed globalRoot,
        uint256 indexed globalIndex
    );

    /// @notice The chain id is already registered.
    error RollupAlreadyRegistered(uint64 chainId);
    /// @notice The chain id is not registered.
    error UnknownRollup(uint64 chainId);
    /// @notice The hub holds MAX_ROLLUPS rollups already.
    error TooManyRollups();
    /// @notice The zero address cannot propose.
    error ZeroProposer();
    /// @notice Only the rollup's registered proposer may post its checkpoints.
    error NotProposer(uint64 chainId, address caller);
    /// @notice A checkpoint must cover more messages than the previous one.
    error CheckpointNotNewer(uint64 chainId, uint256 count, uint256 latestCount);

    constructor(address initialOwner) Ownable(initialOwner) {
        bytes32 zero;
        for (uint256 level = 0; level < GLOBAL_TREE_DEPTH; level++) {
            _zeros[level] = zero;
            zero = MerkleTree.hashPair(zero, zero);
        }
    }

    /// @notice Adds a rollup with its proposer. Its leaf stays empty until its first checkpoint.
    function registerRollup(uint64 chainId, address proposer) external onlyOwner {
        if (_rollups[chainId].registered) revert RollupAlreadyRegistered(chainId);
        if (_chainIds.length >= MAX_ROLLUPS) revert TooManyRollups();
        if (proposer == address(0)) revert ZeroProposer();
        uint32 index = uint32(_chainIds.length);
        _rollups[chainId] = Rollup({registered: true, index: index, proposer: proposer, count: 0, root: bytes32(0)});
        _chainIds.push(chainId);
        emit RollupRegistered(chainId, index, proposer);
    }

    /// @notice Replaces a rollup's proposer.
    function setProposer(uint64 chainId, address proposer) external onlyOwner {
        if (!_rollups[chainId].registered) revert UnknownRollup(chainId);
        if (proposer == address(0)) revert ZeroProposer();
        _rollups[chainId].proposer = proposer;
        emit ProposerChanged(chainId, proposer);
    }

    /// @notice Records that `chainId`'s Outbox root after `count` messages is `root`, and folds it into
    ///         a new global root.
    function postCheckpoint(uint64 chainId, uint256 count, bytes32 root) external returns (bytes32 newGlobalRoot) {
        Rollup storage entry = _rollups[chainId];
        if (!entry.registered) revert UnknownRollup(chainId);
        if (msg.sender != entry.proposer) revert NotProposer(chainId, msg.sender);
        if (count <= entry.count) revert CheckpointNotNewer(chainId, count, entry.count);
        entry.count = count;
        entry.root = root;
        newGlobalRoot = _updateLeaf(entry.index, CheckpointLeaf.hash(chainId, count, root));
        uint256 globalIndex = ++globalRootCount;
        globalRootAt[globalIndex] = newGlobalRoot;
        globalRootIndex[newGlobalRoot] = globalIndex;
        emit CheckpointPosted(chainId, entry.index, count, root, newGlobalRoot, globalIndex);
    }

    /// @notice The latest global root (zero before any checkpoint).
    function globalRoot() external view returns (bytes32) {
        return globalRootAt[globalRootCount];
    }

    /// @notice The latest checkpoint of `chainId`.
    function latestCheckpoint(uint64 chainId) external view returns (uint256 count, bytes32 root) {
        Rollup storage entry = _rollups[chainId];
        if (!entry.registered) revert UnknownRollup(chainId);
        return (entry.count, entry.root);
    }

    /// @notice Registration data of `chainId`.
    function rollupOf(uint64 chainId) external view returns (Rollup memory) {
        if (!_rollups[chainId].registered) revert UnknownRollup(chainId);
        return _rollups[chainId];
    }

    /// @notice Chain ids in leaf order.
    function chainIds() external view returns (uint64[] memory) {
        return _chainIds;
    }

    function _updateLeaf(uint256 index, bytes32 leaf) private returns (bytes32 node) {
        node = leaf;
        _nodes[0][index] = node;
        for (uint256 level = 0; level < GLOBAL_TREE_DEPTH; level++) {
            bytes32 sibling = _nodes[level][index ^ 1];
            if (sibling == bytes32(0)) sibling = _zeros[level];
            node = index & 1 == 1 ? MerkleTree.hashPair(sibling, node) : MerkleTree.hashPair(node, sibling);
            index >>= 1;
            _nodes[level + 1][index] = node;
        }
    }
}
