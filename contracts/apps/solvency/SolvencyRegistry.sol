// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {SuperblockLog} from "../../hub/SuperblockLog.sol";

/// @notice circomlibjs's generated Poseidon contracts (poseidonContract.createCode(2) and (4)).
interface IPoseidon2 {
    function poseidon(uint256[2] calldata input) external pure returns (uint256);
}

/// @notice See IPoseidon2.
interface IPoseidon4 {
    function poseidon(uint256[4] calldata input) external pure returns (uint256);
}

/// @notice The generated verifier of circuits/solvency.circom (public signals: root hash, reserves).
interface ISolvencyBatchVerifier {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[2] calldata publicSignals
    ) external view returns (bool);
}

/// @notice The generated verifier of circuits/solvency-fold.circom (public signals: 8 child hashes, the
///         parent's hash, reserves).
interface ISolvencyFoldVerifier {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[10] calldata publicSignals
    ) external view returns (bool);
}

/// @title SolvencyRegistry
/// @notice On the L1: every epoch's proof of solvency. The publisher posts, per asset, the root and total
///         of the Merkle-sum tree of what Junction's apps owe their users, and the reserves the holding
///         contracts have on every rollup, read at the block heights of one superblock that the
///         SuperblockLog recorded: liabilities and reserves of one instant. Anyone can then check that a
///         user's leaf is in a published tree (`verifyInclusion`), and read each asset's ratio.
/// @dev Twin of src/protocol/sum-tree.ts. A node is (hash, sum); a parent is
///      Poseidon(left.hash, left.sum, right.hash, right.sum) with sum left.sum + right.sum; a leaf is
///      Poseidon(saltedId, balance). Balances are below 2^96 and sums below 2^128.
///      What the L1 checks: the superblock is the one the sequencer posted (its commitment binds every
///      rollup's block number and hash), each reserve was read at that superblock's block of its rollup,
///      each reserve's holder is a listed holding contract and its token is listed for its asset by the
///      owner, no reserve is counted twice, the epoch reports every listed asset and no other (an asset
///      nobody is owed has an empty tree: it cannot vanish from an epoch while insolvent), and
///      every total is in range. What it cannot check: that a reserve amount is the holder's real balance
///      at that block (anyone can, with eth_getProof against the posted block hash) and that the tree
///      holds every user (each user checks their own leaf).
///      Range proofs (zk, no balance revealed): `proveBatch` records a Groth16 proof that 8 leaves, every
///      balance below 2^96, hash to a node of height 3; `proveFold` one that 8 nodes of height h, each
///      proven before or the public padding node of that height, hash to their ancestor at h + 3 (every
///      sum below 2^128). Each also shows its subtree's total at most the asset's recorded reserves. When
///      a proven node is the published root, the whole tree is proven in range and covered
///      (`rangeProven`): Poseidon binds the root to every node below it, so no node of another tree fits.
contract SolvencyRegistry is Ownable {
    /// @notice One asset's liabilities tree.
    struct Liabilities {
        bytes32 asset;
        uint256 root;
        uint256 total;
    }

    /// @notice What one holding contract held of one token at `blockNumber` of `chainId`.
    struct Reserve {
        uint64 chainId;
        uint64 blockNumber;
        address holder;
        address token;
        uint256 amount;
    }

    /// @notice A published epoch.
    struct Epoch {
        uint64 superblockHeight;
        uint64 publishedAt;
        uint32 assetCount;
    }

    /// @notice One asset in one epoch.
    struct AssetSolvency {
        uint256 root;
        uint256 liabilities;
        uint256 reserves;
        bool published;
    }

    uint256 public constant BALANCE_BOUND = 1 << 96;
    uint256 public constant SUM_BOUND = 1 << 128;
    uint256 public constant MAX_DEPTH = 32;
    uint256 public constant MAX_ASSETS = 16;
    uint256 public constant MAX_RESERVES = 512;
    uint256 public constant MAX_ROLLUPS = 64;
    /// @notice The BN254 scalar field: Poseidon's inputs are taken modulo it, so a value at or above it
    ///         would alias a smaller one.
    uint256 public constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    SuperblockLog public immutable superblockLog;
    IPoseidon2 public immutable poseidon2;
    IPoseidon4 public immutable poseidon4;
    ISolvencyBatchVerifier public immutable batchVerifier;
    ISolvencyFoldVerifier public immutable foldVerifier;
    /// @notice The only account that publishes epochs.
    address public publisher;
    /// @notice Epochs published so far; epoch numbers start at 1.
    uint64 public epochCount;
    mapping(uint64 epoch => Epoch) public epochs;
    mapping(uint64 epoch => mapping(bytes32 asset => AssetSolvency)) public solvencyOf;
    mapping(uint64 epoch => bytes32[]) private _assets;
    /// @notice Which asset a token on a rollup counts as (zero: not a reserve of any asset).
    mapping(uint64 chainId => mapping(address token => bytes32 asset)) public assetOfToken;
    /// @notice The contracts whose balances count as reserves on each rollup (users' money, not the
    ///         operator's own accounts).
    mapping(uint64 chainId => mapping(address holder => bool)) public holderListed;
    /// @notice Each rollup's block in the newest epoch: heights never go backwards between epochs.
    mapping(uint64 chainId => uint64) public lastBlockOf;
    /// @notice Whether a zk proof showed every leaf of the asset's tree in range and its total covered.
    mapping(uint64 epoch => mapping(bytes32 asset => bool)) public rangeProven;
    /// @notice The height of a node of `asset`'s tree in `epoch` that a batch or fold proof showed in
    ///         range and covered (0: not proven). Batches prove height 3, folds 6, 9, ….
    mapping(uint64 epoch => mapping(bytes32 asset => mapping(uint256 nodeHash => uint256))) public provenHeight;
    /// @dev Hashes of all-padding subtrees by height, computed on demand (0: not yet).
    mapping(uint256 height => uint256) private _paddingHash;
    /// @notice How many (rollup, token) pairs count as each asset; an asset with any is listed.
    mapping(bytes32 asset => uint256) public tokensListedAs;
    /// @dev The listed assets (those with a listed token): every epoch must report exactly these, so an
    ///      insolvent asset cannot be left out of an epoch.
    bytes32[] private _listedAssets;

    /// @notice A new epoch; `reserves` are the holders' balances at the superblock's blocks.
    event EpochPublished(uint64 indexed epoch, uint64 superblockHeight, Liabilities[] liabilities, Reserve[] reserves);
    /// @notice An asset's liabilities against its reserves in `epoch`.
    event AssetReported(uint64 indexed epoch, bytes32 indexed asset, uint256 liabilities, uint256 reserves, bool solvent);
    event PublisherSet(address publisher);
    event TokenListed(uint64 indexed chainId, address indexed token, bytes32 asset);
    event HolderListed(uint64 indexed chainId, address indexed holder, bool listed);
    /// @notice A zk proof showed every leaf of `asset`'s tree in `epoch` in range and its total covered.
    event RangeProven(uint64 indexed epoch, bytes32 indexed asset);
    /// @notice A batch or fold proof showed the node `nodeHash` at `height` of `asset`'s tree in range.
    event NodeProven(uint64 indexed epoch, bytes32 indexed asset, uint256 height, uint256 nodeHash);

    /// @notice Only the publisher posts epochs.
    error NotPublisher(address caller);
    /// @notice The superblock and blocks given are not what the SuperblockLog recorded at that height.
    error UnknownSuperblock(uint64 height);
    /// @notice An epoch must be taken at a later superblock than the previous one.
    error StaleSuperblock(uint64 height, uint64 previous);
    /// @notice The superblock's block of `chainId` is older than the one a previous epoch was taken at.
    error RollupHeightBackwards(uint64 chainId, uint64 previous, uint64 got);
    /// @notice A leaf's saltedId is 0 (padding) or not below the field modulus, or a sibling hash is not:
    ///         Poseidon would read it modulo p, so one leaf would have two encodings.
    error NotAFieldElement(uint256 value);
    /// @notice A reserve was read at another block than the superblock's block of its rollup.
    error HeightMismatch(uint64 chainId, uint64 expected, uint64 got);
    /// @notice A reserve's rollup is not in the superblock.
    error RollupNotInSuperblock(uint64 chainId);
    /// @notice A reserve's token is not listed as an asset on its rollup.
    error UnlistedToken(uint64 chainId, address token);
    /// @notice A reserve's holder is not a listed holding contract on its rollup.
    error UnlistedHolder(uint64 chainId, address holder);
    /// @notice Reserves must be sorted by (chainId, holder, token), strictly: none counted twice.
    error ReservesNotSorted(uint256 index);
    /// @notice Liabilities must be sorted by asset, strictly, and name a non-zero asset.
    error AssetsNotSorted(uint256 index);
    /// @notice A listed asset is missing from the epoch (report an empty tree, total 0, if nobody is owed).
    error AssetNotReported(bytes32 asset);
    /// @notice The epoch reports an asset no listed token counts as.
    error UnlistedAsset(bytes32 asset);
    /// @notice More entries than the registry takes in one epoch.
    error TooManyEntries(uint256 assets, uint256 reserves, uint256 rollups);
    /// @notice A total, sum or balance outside its bound.
    error SumOutOfRange(uint256 value);
    /// @notice A leaf balance of 2^96 or more.
    error BalanceOutOfRange(uint256 balance);
    /// @notice The epoch was never published.
    error UnknownEpoch(uint64 epoch);
    /// @notice The asset is not in that epoch.
    error UnknownAsset(uint64 epoch, bytes32 asset);
    /// @notice A path of the wrong length, a position outside the tree, or mismatched sibling arrays.
    error InvalidPath(uint256 index, uint256 hashes, uint256 sums);
    /// @notice The proof does not lead to the published root.
    error InclusionRootMismatch(uint256 computedRoot, uint256 computedSum);
    /// @notice The zk proof does not verify for the asset's root and recorded reserves.
    error InvalidRangeProof(uint64 epoch, bytes32 asset);
    /// @notice The asset's tree in that epoch was already proven in range.
    error RangeAlreadyProven(uint64 epoch, bytes32 asset);
    /// @notice That node was already proven for this epoch and asset.
    error NodeAlreadyProven(uint256 nodeHash);
    /// @notice A fold's children must sit at a height that is a multiple of 3, with their parent at most
    ///         MAX_DEPTH.
    error InvalidFoldHeight(uint256 height);
    /// @notice A fold's child is neither a node proven at that height nor the padding node of that height.
    error ChildNotProven(uint256 position, uint256 nodeHash);

    constructor(
        address owner_,
        SuperblockLog superblockLog_,
        IPoseidon2 poseidon2_,
        IPoseidon4 poseidon4_,
        ISolvencyBatchVerifier batchVerifier_,
        ISolvencyFoldVerifier foldVerifier_
    ) Ownable(owner_) {
        superblockLog = superblockLog_;
        poseidon2 = poseidon2_;
        poseidon4 = poseidon4_;
        batchVerifier = batchVerifier_;
        foldVerifier = foldVerifier_;
    }

    /// @notice Names the account that publishes epochs.
    function setPublisher(address publisher_) external onlyOwner {
        publisher = publisher_;
        emit PublisherSet(publisher_);
    }

    /// @notice Counts `token` on `chainId` as `asset` (zero: delists it). An asset is listed while any
    ///         token counts as it, and every epoch must then report it.
    function listToken(uint64 chainId, address token, bytes32 asset) external onlyOwner {
        bytes32 old = assetOfToken[chainId][token];
        if (old == asset) return;
        if (old != bytes32(0) && --tokensListedAs[old] == 0) _unlistAsset(old);
        if (asset != bytes32(0) && tokensListedAs[asset]++ == 0) {
            if (_listedAssets.length >= MAX_ASSETS) revert TooManyEntries(_listedAssets.length + 1, 0, 0);
            _listedAssets.push(asset);
        }
        assetOfToken[chainId][token] = asset;
        emit TokenListed(chainId, token, asset);
    }

    /// @notice The assets every epoch must report (those some listed token counts as).
    function listedAssets() external view returns (bytes32[] memory) {
        return _listedAssets;
    }

    /// @notice Counts (or stops counting) `holder`'s balances on `chainId` as reserves.
    function listHolder(uint64 chainId, address holder, bool listed) external onlyOwner {
        holderListed[chainId][holder] = listed;
        emit HolderListed(chainId, holder, listed);
    }

    /// @notice Publishes the next epoch, taken at superblock `height` whose rollup blocks are `blocks`.
    function publish(
        uint64 height,
        SuperblockLog.RollupBlock[] calldata blocks,
        Liabilities[] calldata liabilities,
        Reserve[] calldata reserves
    ) external returns (uint64 epoch) {
        if (msg.sender != publisher) revert NotPublisher(msg.sender);
        if (liabilities.length > MAX_ASSETS || reserves.length > MAX_RESERVES || blocks.length > MAX_ROLLUPS) {
            revert TooManyEntries(liabilities.length, reserves.length, blocks.length);
        }
        if (blocks.length == 0 || superblockLog.commitmentAt(height) != keccak256(abi.encode(height, blocks))) {
            revert UnknownSuperblock(height);
        }
        uint64 previous = epochs[epochCount].superblockHeight;
        if (height <= previous) revert StaleSuperblock(height, previous);
        for (uint256 i = 0; i < blocks.length; i++) {
            uint64 chainId = blocks[i].chainId;
            uint64 last = lastBlockOf[chainId];
            if (blocks[i].blockNumber < last) revert RollupHeightBackwards(chainId, last, blocks[i].blockNumber);
            lastBlockOf[chainId] = blocks[i].blockNumber;
        }
        epoch = epochCount + 1;
        epochCount = epoch;
        epochs[epoch] = Epoch(height, uint64(block.timestamp), uint32(liabilities.length));

        for (uint256 i = 0; i < liabilities.length; i++) {
            Liabilities calldata entry = liabilities[i];
            if (entry.asset == bytes32(0) || (i > 0 && liabilities[i - 1].asset >= entry.asset)) {
                revert AssetsNotSorted(i);
            }
            if (tokensListedAs[entry.asset] == 0) revert UnlistedAsset(entry.asset);
            if (entry.total >= SUM_BOUND) revert SumOutOfRange(entry.total);
            solvencyOf[epoch][entry.asset] = AssetSolvency(entry.root, entry.total, 0, true);
            _assets[epoch].push(entry.asset);
        }
        // Every entry is listed and distinct (sorted strictly): equal counts mean exactly the listed set.
        if (liabilities.length != _listedAssets.length) {
            for (uint256 i = 0; i < _listedAssets.length; i++) {
                if (!solvencyOf[epoch][_listedAssets[i]].published) revert AssetNotReported(_listedAssets[i]);
            }
        }
        for (uint256 i = 0; i < reserves.length; i++) {
            Reserve calldata reserve = reserves[i];
            if (i > 0 && !_before(reserves[i - 1], reserve)) revert ReservesNotSorted(i);
            uint64 expected = _blockOf(blocks, reserve.chainId);
            if (reserve.blockNumber != expected) revert HeightMismatch(reserve.chainId, expected, reserve.blockNumber);
            if (!holderListed[reserve.chainId][reserve.holder]) revert UnlistedHolder(reserve.chainId, reserve.holder);
            bytes32 asset = assetOfToken[reserve.chainId][reserve.token];
            if (asset == bytes32(0)) revert UnlistedToken(reserve.chainId, reserve.token);
            AssetSolvency storage solvency = solvencyOf[epoch][asset];
            if (!solvency.published) revert UnknownAsset(epoch, asset);
            if (reserve.amount >= SUM_BOUND) revert SumOutOfRange(reserve.amount);
            solvency.reserves += reserve.amount;
        }
        emit EpochPublished(epoch, height, liabilities, reserves);
        for (uint256 i = 0; i < liabilities.length; i++) {
            AssetSolvency storage solvency = solvencyOf[epoch][liabilities[i].asset];
            emit AssetReported(
                epoch,
                liabilities[i].asset,
                solvency.liabilities,
                solvency.reserves,
                solvency.reserves >= solvency.liabilities
            );
        }
    }

    /// @notice Records a Groth16 proof (circuits/solvency.circom) that `nodeHash` is a node of height 3
    ///         over 8 leaves, every balance below 2^96, with a total at most the asset's recorded
    ///         reserves. Anyone may submit it; it reveals no balance. A tree of depth 3 is one batch.
    function proveBatch(
        uint64 epoch,
        bytes32 asset,
        uint256 nodeHash,
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c
    ) external {
        AssetSolvency storage solvency = _provable(epoch, asset, nodeHash);
        if (!batchVerifier.verifyProof(a, b, c, [nodeHash, solvency.reserves])) revert InvalidRangeProof(epoch, asset);
        _recordProven(epoch, asset, solvency, 3, nodeHash);
    }

    /// @notice Records a Groth16 proof (circuits/solvency-fold.circom) that the 8 nodes `children` at
    ///         `height` hash to `parent` at `height + 3`, every sum below 2^128 and the total at most the
    ///         recorded reserves. Each child must be proven at `height` for this epoch and asset, or be
    ///         the all-padding node of that height. Anyone may submit it; it reveals no sum.
    function proveFold(
        uint64 epoch,
        bytes32 asset,
        uint256 height,
        uint256[8] calldata children,
        uint256 parent,
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c
    ) external {
        if (height == 0 || height % 3 != 0 || height + 3 > MAX_DEPTH) revert InvalidFoldHeight(height);
        AssetSolvency storage solvency = _provable(epoch, asset, parent);
        uint256[10] memory signals;
        for (uint256 i = 0; i < 8; i++) {
            uint256 child = children[i];
            if (provenHeight[epoch][asset][child] != height && child != _padding(height)) {
                revert ChildNotProven(i, child);
            }
            signals[i] = child;
        }
        signals[8] = parent;
        signals[9] = solvency.reserves;
        if (!foldVerifier.verifyProof(a, b, c, signals)) revert InvalidRangeProof(epoch, asset);
        _recordProven(epoch, asset, solvency, height + 3, parent);
    }

    /// @notice The hash of an all-padding subtree of `height` (leaves (0, 0)), as src/protocol/sum-tree.ts
    ///         computes it.
    function paddingHash(uint256 height) external view returns (uint256 hash) {
        if (height > MAX_DEPTH) revert InvalidFoldHeight(height);
        hash = poseidon2.poseidon([uint256(0), uint256(0)]);
        for (uint256 level = 0; level < height; level++) {
            hash = poseidon4.poseidon([hash, 0, hash, 0]);
        }
    }

    /// @notice The assets an epoch reports, in order.
    function assetsOf(uint64 epoch) external view returns (bytes32[] memory) {
        return _assets[epoch];
    }

    /// @notice Whether the reserves of `asset` covered its liabilities in `epoch`.
    function isSolvent(uint64 epoch, bytes32 asset) external view returns (bool) {
        AssetSolvency storage solvency = _published(epoch, asset);
        return solvency.reserves >= solvency.liabilities;
    }

    /// @notice Checks that the leaf (saltedId, balance) at position `index` of `asset`'s tree in `epoch`
    ///         leads, through the siblings' hashes and sums (leaf level first), to the published root
    ///         and total. Reverts with the reason otherwise. `saltedId` must be in (0, p) and every
    ///         sibling hash below p, as in the TypeScript twin: no second encoding of a leaf, and the
    ///         padding leaf (0, 0) is nobody's.
    function verifyInclusion(
        uint64 epoch,
        bytes32 asset,
        uint256 saltedId,
        uint256 balance,
        uint256 index,
        uint256[] calldata siblingHashes,
        uint256[] calldata siblingSums
    ) external view returns (bool) {
        AssetSolvency storage solvency = _published(epoch, asset);
        uint256 depth = siblingHashes.length;
        if (depth == 0 || depth > MAX_DEPTH || siblingSums.length != depth || index >> depth != 0) {
            revert InvalidPath(index, siblingHashes.length, siblingSums.length);
        }
        if (balance >= BALANCE_BOUND) revert BalanceOutOfRange(balance);
        if (saltedId == 0 || saltedId >= FIELD_MODULUS) revert NotAFieldElement(saltedId);
        uint256 hash = poseidon2.poseidon([saltedId, balance]);
        uint256 sum = balance;
        for (uint256 level = 0; level < depth; level++) {
            uint256 siblingSum = siblingSums[level];
            if (siblingHashes[level] >= FIELD_MODULUS) revert NotAFieldElement(siblingHashes[level]);
            if (siblingSum >= SUM_BOUND) revert SumOutOfRange(siblingSum);
            if (sum + siblingSum >= SUM_BOUND) revert SumOutOfRange(sum + siblingSum);
            if ((index >> level) & 1 == 1) {
                hash = poseidon4.poseidon([siblingHashes[level], siblingSum, hash, sum]);
            } else {
                hash = poseidon4.poseidon([hash, sum, siblingHashes[level], siblingSum]);
            }
            sum += siblingSum;
        }
        if (hash != solvency.root || sum != solvency.liabilities) revert InclusionRootMismatch(hash, sum);
        return true;
    }

    function _published(uint64 epoch, bytes32 asset) private view returns (AssetSolvency storage solvency) {
        if (epoch == 0 || epoch > epochCount) revert UnknownEpoch(epoch);
        solvency = solvencyOf[epoch][asset];
        if (!solvency.published) revert UnknownAsset(epoch, asset);
    }

    function _provable(uint64 epoch, bytes32 asset, uint256 nodeHash)
        private
        view
        returns (AssetSolvency storage solvency)
    {
        solvency = _published(epoch, asset);
        if (rangeProven[epoch][asset]) revert RangeAlreadyProven(epoch, asset);
        if (provenHeight[epoch][asset][nodeHash] != 0) revert NodeAlreadyProven(nodeHash);
    }

    function _recordProven(
        uint64 epoch,
        bytes32 asset,
        AssetSolvency storage solvency,
        uint256 height,
        uint256 nodeHash
    ) private {
        provenHeight[epoch][asset][nodeHash] = height;
        emit NodeProven(epoch, asset, height, nodeHash);
        if (nodeHash == solvency.root) {
            rangeProven[epoch][asset] = true;
            emit RangeProven(epoch, asset);
        }
    }

    /// @dev The padding node's hash at `height`, cached: each height costs one Poseidon the first time.
    function _padding(uint256 height) private returns (uint256 hash) {
        hash = _paddingHash[height];
        if (hash != 0) return hash;
        hash = height == 0 ? poseidon2.poseidon([uint256(0), uint256(0)]) : _padding(height - 1);
        if (height > 0) hash = poseidon4.poseidon([hash, 0, hash, 0]);
        _paddingHash[height] = hash;
    }

    function _unlistAsset(bytes32 asset) private {
        uint256 last = _listedAssets.length - 1;
        for (uint256 i = 0; i <= last; i++) {
            if (_listedAssets[i] == asset) {
                _listedAssets[i] = _listedAssets[last];
                _listedAssets.pop();
                return;
            }
        }
    }

    function _blockOf(SuperblockLog.RollupBlock[] calldata blocks, uint64 chainId) private pure returns (uint64) {
        for (uint256 i = 0; i < blocks.length; i++) {
            if (blocks[i].chainId == chainId) return blocks[i].blockNumber;
        }
        revert RollupNotInSuperblock(chainId);
    }

    function _before(Reserve calldata a, Reserve calldata b) private pure returns (bool) {
        if (a.chainId != b.chainId) return a.chainId < b.chainId;
        if (a.holder != b.holder) return a.holder < b.holder;
        return a.token < b.token;
    }
}
