// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IMessageRecipient} from "../interfaces/IMessageRecipient.sol";
import {IVerifier} from "../interfaces/IVerifier.sol";
import {Inbox} from "../messaging/Inbox.sol";
import {MerkleTree} from "../messaging/MerkleTree.sol";
import {CheckpointSignature} from "../verifiers/CheckpointSignature.sol";
import {BondMessages} from "./BondMessages.sol";

/// @title OptimisticVerifier
/// @notice The optimistic trust path on a destination rollup. A registered attester, bonded on the
///         source (as the source's BondManager tells this contract over the canonical path), signs a
///         checkpoint `(sourceChainId, count, root)`; it is final once `challengeWindow` passes
///         unchallenged. A watcher that posts `challengeBond` freezes it at once; the source's true root,
///         reported by its BondManager over the canonical path, settles the challenge: a wrong checkpoint
///         is rejected and the challenger refunded, a correct one is confirmed and the challenger's bond
///         goes to the attester. Payments are credited and pulled with `withdrawCredit`.
///
///         A checkpoint is only as good as the bond behind it *now*: `verifyRoot` refuses a checkpoint
///         that is not confirmed when its attester is no longer registered, is under `minBond`, or was
///         slashed (a fraud proof anywhere voids all its pending checkpoints). A challenge never freezes
///         a challenger's bond for good: it is refunded when the attester is slashed, or when the true
///         root has not arrived `settlementTimeout` after the challenge.
/// @dev Bond messages arrive only over the canonical path: `handle` refuses them when the Inbox proved
///      them (or, for a retry, first proved them) with any other verifier (this contract pins the canonical verifier for every source it
///      registers an attester for, so the Inbox owner's default cannot replace it).
contract OptimisticVerifier is IVerifier, IMessageRecipient, Ownable {
    enum State {
        None,
        Pending,
        Challenged,
        Confirmed,
        Rejected,
        /// @dev A challenge refunded without a root report; a late report still confirms or rejects it.
        Abandoned
    }

    struct Checkpoint {
        bytes32 root;
        address attester;
        uint64 submittedAt;
        State state;
        address challenger;
        uint64 challengedAt;
    }

    address public immutable inbox;
    /// @notice The BondManager address on every source rollup (deployed at the same address everywhere).
    address public immutable bondManager;
    uint256 public immutable challengeWindow;
    uint256 public immutable challengeBond;
    uint256 public immutable minBond;
    /// @notice Seconds after a challenge when, if the source's true root has not settled it, the
    ///         challenger may take its bond back (the checkpoint is then rejected).
    uint256 public immutable settlementTimeout;
    /// @notice The verifier bond messages must be proven with (the canonical path).
    IVerifier public immutable canonicalVerifier;
    /// @notice The Outbox every source's checkpoint signatures are bound to (the same on every rollup).
    address public immutable sourceOutbox;

    mapping(uint64 sourceChainId => mapping(address attester => bool)) public isAttester;
    mapping(uint64 sourceChainId => mapping(address attester => uint256)) public bondOnSource;
    mapping(uint64 sourceChainId => mapping(address attester => uint256)) private _bondVersion;
    mapping(uint64 sourceChainId => mapping(address attester => bool)) public slashedOnSource;
    mapping(uint64 sourceChainId => mapping(uint256 count => Checkpoint)) private _checkpoints;
    mapping(address account => uint256) public credit;

    event AttesterSet(uint64 indexed sourceChainId, address indexed attester, bool registered);
    event BondUpdated(uint64 indexed sourceChainId, address indexed attester, uint256 activeBond);
    event CheckpointSubmitted(
        uint64 indexed sourceChainId, uint256 indexed count, bytes32 root, address indexed attester, bytes signature
    );
    event CheckpointChallenged(uint64 indexed sourceChainId, uint256 indexed count, address indexed challenger);
    event CheckpointSettled(uint64 indexed sourceChainId, uint256 indexed count, bytes32 trueRoot, State state);
    event CreditWithdrawn(address indexed account, uint256 amount);
    /// @notice A challenge that could not be settled by a root report was closed and its bond refunded.
    event ChallengeRefunded(uint64 indexed sourceChainId, uint256 indexed count, address indexed challenger);
    /// @notice A bond update was refused: the source lets bonds leave before a challenge here could settle.
    event BondUpdateRefused(uint64 indexed sourceChainId, address indexed attester, uint256 withdrawalDelay);

    /// @notice A checkpoint of this chain itself is meaningless here.
    error WrongSourceChain(uint64 sourceChainId);
    /// @notice The signer is not a registered attester for this source.
    error NotRegisteredAttester(uint64 sourceChainId, address signer);
    /// @notice The signer's bond on the source is missing, withdrawing, slashed, or below minBond.
    error AttesterNotBonded(uint64 sourceChainId, address attester, uint256 bond);
    /// @notice A checkpoint for this source and count exists already.
    error CheckpointAlreadySubmitted(uint64 sourceChainId, uint256 count);
    /// @notice No checkpoint for this source and count.
    error UnknownCheckpoint(uint64 sourceChainId, uint256 count);
    /// @notice The checkpoint at this count has another root.
    error RootMismatch(uint64 sourceChainId, uint256 count, bytes32 root);
    /// @notice The checkpoint is still inside its challenge window.
    error ChallengeWindowOpen(uint64 sourceChainId, uint256 count, uint256 finalAt);
    /// @notice The checkpoint's challenge window is over.
    error ChallengeWindowClosed(uint64 sourceChainId, uint256 count);
    /// @notice The checkpoint is frozen by a challenge until the source's true root arrives.
    error CheckpointFrozen(uint64 sourceChainId, uint256 count);
    /// @notice The checkpoint was proven wrong.
    error CheckpointRejected(uint64 sourceChainId, uint256 count);
    /// @notice The checkpoint's challenge was refunded unsettled; only the source's root report can
    ///         still confirm it.
    error CheckpointAbandoned(uint64 sourceChainId, uint256 count);
    /// @notice Only a pending checkpoint can be challenged.
    error NotChallengeable(uint64 sourceChainId, uint256 count, State state);
    /// @notice A challenge must post exactly challengeBond.
    error WrongChallengeBond(uint256 sent, uint256 required);
    /// @notice Messages come from the Inbox only.
    error NotInbox(address caller);
    /// @notice Messages come from the source's BondManager only.
    error UntrustedSender(uint64 sourceChainId, address sender);
    /// @notice Unknown message kind.
    error UnknownMessageKind(uint8 kind);
    /// @notice Nothing to withdraw.
    error NoCredit(address account);
    /// @notice A native transfer failed.
    error TransferFailed(address to, uint256 amount);
    /// @notice An Outbox holds at most MerkleTree.MAX_LEAVES messages; a checkpoint beyond that can
    ///         never be settled.
    error CountOutOfRange(uint256 count, uint256 max);
    /// @notice The attester of this unconfirmed checkpoint was slashed on the source.
    error AttesterSlashed(uint64 sourceChainId, address attester);
    /// @notice The challenge can still be settled by the source's root report.
    error ChallengeNotRefundable(uint64 sourceChainId, uint256 count, uint256 refundableAt);
    /// @notice The bond message was proven by another verifier than the canonical one.
    error UnpinnedVerifier(uint64 sourceChainId, address verifier);

    constructor(
        address initialOwner,
        address inbox_,
        address bondManager_,
        uint256 challengeWindow_,
        uint256 challengeBond_,
        uint256 minBond_,
        uint256 settlementTimeout_,
        IVerifier canonicalVerifier_
    ) Ownable(initialOwner) {
        inbox = inbox_;
        bondManager = bondManager_;
        challengeWindow = challengeWindow_;
        challengeBond = challengeBond_;
        minBond = minBond_;
        settlementTimeout = settlementTimeout_;
        canonicalVerifier = canonicalVerifier_;
        sourceOutbox = address(Inbox(inbox_).outbox());
    }

    /// @notice Registers or removes an attester for a source, and pins the canonical path for the
    ///         source's bond messages.
    function setAttester(uint64 sourceChainId, address attester, bool registered) external onlyOwner {
        isAttester[sourceChainId][attester] = registered;
        Inbox(inbox).setVerifier(sourceChainId, canonicalVerifier);
        emit AttesterSet(sourceChainId, attester, registered);
    }

    /// @notice Accepts a signed checkpoint and starts its challenge window. Anyone may submit it.
    function submitCheckpoint(uint64 sourceChainId, uint256 count, bytes32 root, bytes calldata signature) external {
        if (sourceChainId == block.chainid) revert WrongSourceChain(sourceChainId);
        if (count > MerkleTree.MAX_LEAVES) revert CountOutOfRange(count, MerkleTree.MAX_LEAVES);
        address signer = CheckpointSignature.signer(sourceOutbox, sourceChainId, count, root, signature);
        _checkAttester(sourceChainId, signer);
        Checkpoint storage checkpoint = _checkpoints[sourceChainId][count];
        if (checkpoint.state != State.None) revert CheckpointAlreadySubmitted(sourceChainId, count);
        _checkpoints[sourceChainId][count] = Checkpoint({
            root: root,
            attester: signer,
            submittedAt: uint64(block.timestamp),
            state: State.Pending,
            challenger: address(0),
            challengedAt: 0
        });
        emit CheckpointSubmitted(sourceChainId, count, root, signer, signature);
    }

    /// @notice Freezes a pending checkpoint inside its window; costs challengeBond.
    function challenge(uint64 sourceChainId, uint256 count) external payable {
        Checkpoint storage checkpoint = _checkpoints[sourceChainId][count];
        if (checkpoint.state != State.Pending) revert NotChallengeable(sourceChainId, count, checkpoint.state);
        if (block.timestamp >= checkpoint.submittedAt + challengeWindow) {
            revert ChallengeWindowClosed(sourceChainId, count);
        }
        if (msg.value != challengeBond) revert WrongChallengeBond(msg.value, challengeBond);
        checkpoint.state = State.Challenged;
        checkpoint.challenger = msg.sender;
        checkpoint.challengedAt = uint64(block.timestamp);
        emit CheckpointChallenged(sourceChainId, count, msg.sender);
    }

    /// @notice Inbox entry point for the source BondManager's bond updates and root reports.
    function handle(uint64 sourceChainId, address sender, bytes calldata body) external {
        if (msg.sender != inbox) revert NotInbox(msg.sender);
        if (sender != bondManager) revert UntrustedSender(sourceChainId, sender);
        // The verifier that proved this message (on a retry: the one that proved it first).
        address verifier = address(Inbox(inbox).currentVerifier());
        if (verifier != address(canonicalVerifier)) revert UnpinnedVerifier(sourceChainId, verifier);
        (uint8 kind, bytes memory data) = abi.decode(body, (uint8, bytes));
        if (kind == BondMessages.BOND_UPDATE) {
            _updateBond(sourceChainId, data);
        } else if (kind == BondMessages.ROOT_REPORT) {
            (uint256 count, bytes32 trueRoot) = abi.decode(data, (uint256, bytes32));
            _settle(sourceChainId, count, trueRoot);
        } else {
            revert UnknownMessageKind(kind);
        }
    }

    /// @notice Pays out what challenges credited to the caller.
    function withdrawCredit() external {
        uint256 amount = credit[msg.sender];
        if (amount == 0) revert NoCredit(msg.sender);
        credit[msg.sender] = 0;
        emit CreditWithdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    /// @notice Closes a challenge the source's root report did not settle: at once when the attester was
    ///         slashed, otherwise `settlementTimeout` after the challenge. The challenger's bond is
    ///         credited back and the checkpoint is abandoned: refused until a late root report confirms
    ///         it (a correct one) or rejects it. Anyone may call it.
    function refundChallenge(uint64 sourceChainId, uint256 count) external {
        Checkpoint storage checkpoint = _checkpoints[sourceChainId][count];
        if (checkpoint.state != State.Challenged) {
            revert NotChallengeable(sourceChainId, count, checkpoint.state);
        }
        uint256 refundableAt = uint256(checkpoint.challengedAt) + settlementTimeout;
        if (!slashedOnSource[sourceChainId][checkpoint.attester] && block.timestamp < refundableAt) {
            revert ChallengeNotRefundable(sourceChainId, count, refundableAt);
        }
        checkpoint.state = State.Abandoned;
        credit[checkpoint.challenger] += challengeBond;
        emit ChallengeRefunded(sourceChainId, count, checkpoint.challenger);
    }

    /// @inheritdoc IVerifier
    function verifyRoot(uint64 sourceChainId, uint256 count, bytes32 root, bytes calldata) external view {
        Checkpoint storage checkpoint = _checkpoints[sourceChainId][count];
        State state = checkpoint.state;
        if (state == State.None) revert UnknownCheckpoint(sourceChainId, count);
        if (checkpoint.root != root) revert RootMismatch(sourceChainId, count, root);
        if (state == State.Confirmed) return; // the source's own report vouches for it
        if (state == State.Challenged) revert CheckpointFrozen(sourceChainId, count);
        if (state == State.Rejected) revert CheckpointRejected(sourceChainId, count);
        if (state == State.Abandoned) revert CheckpointAbandoned(sourceChainId, count);
        uint256 finalAt = checkpoint.submittedAt + challengeWindow;
        if (block.timestamp < finalAt) revert ChallengeWindowOpen(sourceChainId, count, finalAt);
        _checkAttester(sourceChainId, checkpoint.attester);
    }

    /// @notice A checkpoint as stored.
    function checkpointOf(uint64 sourceChainId, uint256 count) external view returns (Checkpoint memory) {
        return _checkpoints[sourceChainId][count];
    }

    /// @dev Refuses an attester that is slashed, unregistered, or bonded under minBond now.
    function _checkAttester(uint64 sourceChainId, address attester) private view {
        if (slashedOnSource[sourceChainId][attester]) revert AttesterSlashed(sourceChainId, attester);
        if (!isAttester[sourceChainId][attester]) revert NotRegisteredAttester(sourceChainId, attester);
        uint256 bond = bondOnSource[sourceChainId][attester];
        if (bond < minBond || bond == 0) revert AttesterNotBonded(sourceChainId, attester, bond);
    }

    function _updateBond(uint64 sourceChainId, bytes memory data) private {
        (address attester, uint256 activeBond, uint256 version, bool slashed, uint256 withdrawalDelay) =
            abi.decode(data, (address, uint256, uint256, bool, uint256));
        if (version <= _bondVersion[sourceChainId][attester]) return; // a late, older update
        _bondVersion[sourceChainId][attester] = version;
        if (slashed) slashedOnSource[sourceChainId][attester] = true;
        // A bond that can leave before a challenge here settles backs nothing: count it as zero.
        if (withdrawalDelay < challengeWindow + settlementTimeout && activeBond != 0) {
            emit BondUpdateRefused(sourceChainId, attester, withdrawalDelay);
            activeBond = 0;
        }
        bondOnSource[sourceChainId][attester] = activeBond;
        emit BondUpdated(sourceChainId, attester, activeBond);
    }

    function _settle(uint64 sourceChainId, uint256 count, bytes32 trueRoot) private {
        Checkpoint storage checkpoint = _checkpoints[sourceChainId][count];
        State before = checkpoint.state;
        if (before == State.None || before == State.Rejected || before == State.Confirmed) return;
        bool correct = checkpoint.root == trueRoot;
        checkpoint.state = correct ? State.Confirmed : State.Rejected;
        if (before == State.Challenged) {
            credit[correct ? checkpoint.attester : checkpoint.challenger] += challengeBond;
        }
        emit CheckpointSettled(sourceChainId, count, trueRoot, checkpoint.state);
    }
}
