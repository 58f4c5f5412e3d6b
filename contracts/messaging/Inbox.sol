// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IVerifier} from "../interfaces/IVerifier.sol";
import {IMessageRecipient} from "../interfaces/IMessageRecipient.sol";
import {Message, MessageLib} from "./Message.sol";
import {MerkleTree} from "./MerkleTree.sol";
import {Outbox} from "./Outbox.sol";

/// @title Inbox
/// @notice Destination side of Junction messaging on one rollup. Proves a message against a source
///         Outbox root that the recipient's chosen verifier vouches for, refuses replays, and calls the
///         recipient's handler with the message's gas limit. A failing handler never loses the message:
///         it is recorded as failed and anyone can retry it until its deadline.
contract Inbox is Ownable {
    /// @notice Lifecycle of a message on its destination: None -> Delivered | Failed, Failed -> Delivered,
    ///         and after the deadline None | Failed -> Expired (then the sender is told; see `expire`).
    enum Status {
        None,
        Delivered,
        Failed,
        Expired
    }

    /// @notice Evidence that a message is in its source Outbox.
    /// @param count Outbox message count the root belongs to; must exceed the message nonce.
    /// @param root Outbox root after `count` messages.
    /// @param path Merkle siblings from the message id up to `root` (MerkleTree.DEPTH of them).
    /// @param verifierData Evidence for the verifier that `root` is genuine.
    struct MessageProof {
        uint256 count;
        bytes32 root;
        bytes32[] path;
        bytes verifierData;
    }

    /// @notice Evidence that several messages of one source are in its Outbox: one root, one verifier
    ///         context, one Merkle path per message.
    /// @param count Outbox message count the root belongs to; must exceed every message's nonce.
    /// @param root Outbox root after `count` messages.
    /// @param paths Merkle siblings for each message, in the order of the messages.
    /// @param verifierData Evidence for each message's verifier that `root` is genuine (one trust path).
    struct BatchProof {
        uint256 count;
        bytes32 root;
        bytes32[][] paths;
        bytes verifierData;
    }

    /// @notice What became of one message of a batch.
    enum BatchOutcome {
        Delivered,
        Failed,
        Skipped
    }

    /// @notice Gas kept back around the handler call for the Inbox's own bookkeeping.
    uint256 public constant RESERVED_GAS = 100_000;
    /// @dev Gas `retry` spends before its handler call, kept out of what it forwards.
    uint256 private constant RETRY_MARGIN_GAS = 20_000;
    /// @notice Longest revert reason kept in MessageFailed.
    uint256 public constant MAX_REASON_BYTES = 256;

    /// @notice First word of an expiry notice's body, `abi.encode(EXPIRY_NOTICE, id)`: only the id, so a
    ///         message of any size can expire; the sender keeps what it needs to act on it.
    bytes4 public constant EXPIRY_NOTICE = bytes4(keccak256("MessageExpired(bytes32)"));
    uint64 public constant EXPIRY_NOTICE_GAS = 300_000;
    /// @notice Expiry notices never expire themselves: a refund must never be lost to a deadline.
    uint64 public constant NEVER_EXPIRES = type(uint64).max;

    /// @notice This rollup's Outbox, which carries expiry notices back to senders.
    Outbox public immutable outbox;
    IVerifier public defaultVerifier;
    /// @notice Whether only sources in the dependency set are delivered from (false: every chain).
    bool public sourcesRestricted;
    /// @notice Whether the sources' dependency set (and `sourcesRestricted`) is fixed for good.
    bool public dependencySetSealed;
    /// @notice The dependency set: sources delivered from while `sourcesRestricted`.
    mapping(uint64 chainId => bool allowed) public sourceInDependencySet;
    mapping(address recipient => mapping(uint64 sourceChainId => IVerifier)) private _verifiers;
    mapping(bytes32 id => Status) public status;
    /// @notice The verifier that proved a failed message (kept for its retries, which prove nothing).
    mapping(bytes32 id => IVerifier) public provenBy;

    bytes32 private transient _currentMessageId;
    IVerifier private transient _currentVerifier;

    /// @notice A message's handler ran to completion.
    event MessageDelivered(bytes32 indexed id, uint64 indexed sourceChainId, address indexed relayer, uint64 nonce);
    /// @notice A message was proven but its handler reverted (or its recipient has no code); it can be retried.
    event MessageFailed(bytes32 indexed id, uint64 indexed sourceChainId, address indexed relayer, bytes reason);
    /// @notice `recipient` chose `verifier` for messages from `sourceChainId` (zero: back to the default).
    event VerifierSet(address indexed recipient, uint64 indexed sourceChainId, address verifier);
    /// @notice A message's deadline passed before it was delivered; `noticeId` tells its sender (zero only
    ///         for an expired notice, which is not noticed back).
    event MessageExpiredHere(bytes32 indexed id, uint64 indexed sourceChainId, bytes32 noticeId);
    /// @notice The owner changed the verifier used by recipients that chose none.
    event DefaultVerifierSet(address verifier);
    /// @notice A message of a batch was not delivered; `reason` is the selector of the error `deliver`
    ///         would have raised (e.g. MessageAlreadyProcessed when another relayer was first).
    event MessageSkipped(bytes32 indexed id, bytes4 reason);
    /// @notice The owner added `chainId` to the sources of the dependency set (`allowed`) or removed it.
    event SourceDependencyChanged(uint64 indexed chainId, bool allowed);
    /// @notice The owner turned the sources' dependency set on or off.
    event SourcesRestrictedSet(bool restricted);
    /// @notice The owner sealed the sources' dependency set: it never changes again.
    event SealedDependencySet(bool restricted);

    /// @notice The message is addressed to another chain.
    error WrongDestination(uint64 destinationChainId, uint256 thisChainId);
    /// @notice The message envelope version is not one this Inbox reads.
    error UnsupportedVersion(uint8 version);
    /// @notice The message deadline has passed.
    error MessageExpired(bytes32 id, uint64 deadline);
    /// @notice The message was already delivered (or already failed and must be retried instead).
    error MessageAlreadyProcessed(bytes32 id, Status status);
    /// @notice The deadline has not passed, so the message may still be delivered.
    error MessageNotExpired(bytes32 id, uint64 deadline);
    /// @notice Only a failed message can be retried.
    error MessageNotFailed(bytes32 id, Status status);
    /// @notice The proof's count does not cover the message nonce.
    error NonceNotCovered(uint64 nonce, uint256 count);
    /// @notice The Merkle path has the wrong number of siblings.
    error InvalidPathLength(uint256 length, uint256 expected);
    /// @notice The Merkle path does not lead from the message id to the proof's root.
    error MessageNotInRoot(bytes32 id, bytes32 root);
    /// @notice Not enough gas left to give the handler its gas limit; the relayer must send more gas.
    error InsufficientGas(uint256 available, uint256 required);
    /// @notice No verifier is configured for this recipient and source, and there is no default.
    error NoVerifier(address recipient, uint64 sourceChainId);
    /// @notice Only the recipient of a message may be told what message is being handled.
    error NotHandlingMessage();
    /// @notice A batch needs at least one message and exactly one path per message.
    error InvalidBatch(uint256 messages, uint256 paths);
    /// @notice Every message of a batch comes from the same source.
    error MixedSources(uint64 first, uint64 other);
    /// @notice The source is outside this rollup's dependency set, so nothing it vouches for is delivered.
    error SourceNotInDependencySet(uint64 sourceChainId);
    /// @notice The dependency set is sealed: messages in flight can never be cut off by a later change.
    error DependencySetSealed();

    /// @notice The handler's target has no code, so nothing could handle the message. Used as a failure reason.
    error RecipientHasNoCode(address recipient);

    constructor(address initialOwner, Outbox outbox_, IVerifier initialDefaultVerifier) Ownable(initialOwner) {
        outbox = outbox_;
        defaultVerifier = initialDefaultVerifier;
        emit DefaultVerifierSet(address(initialDefaultVerifier));
    }

    /// @notice Proves and delivers `message`. Reverts (and changes nothing) if the proof is refused;
    ///         records the message as failed if only its handler reverts.
    /// @return id The message id.
    function deliver(Message calldata message, MessageProof calldata proof) external returns (bytes32 id) {
        id = MessageLib.id(message);
        if (message.version != MessageLib.VERSION) revert UnsupportedVersion(message.version);
        if (message.destinationChainId != block.chainid) {
            revert WrongDestination(message.destinationChainId, block.chainid);
        }
        if (block.timestamp > message.deadline) revert MessageExpired(id, message.deadline);
        if (status[id] != Status.None) revert MessageAlreadyProcessed(id, status[id]);
        IVerifier verifier = _verify(id, message, proof);
        _execute(id, message, message.gasLimit, verifier);
    }

    /// @notice Proves and delivers several messages of one source in one transaction. Each keeps its own
    ///         outcome: a failing handler is recorded as failed (as with `deliver`), and a message `deliver`
    ///         would refuse on its own (already processed, expired, not covered, not in the root, …) is
    ///         skipped with `MessageSkipped`, so a relayer racing another never loses the whole batch.
    ///         The root is checked once per distinct verifier among the recipients; a verifier that
    ///         refuses it reverts the batch (the evidence is the relayer's, for one trust path).
    /// @return outcomes One per message, in order.
    function deliverBatch(Message[] calldata messages, BatchProof calldata proof)
        external
        returns (BatchOutcome[] memory outcomes)
    {
        uint256 size = messages.length;
        if (size == 0 || proof.paths.length != size) revert InvalidBatch(size, proof.paths.length);
        outcomes = new BatchOutcome[](size);
        uint64 source = messages[0].sourceChainId;
        IVerifier accepted;
        for (uint256 i = 0; i < size; i++) {
            Message calldata message = messages[i];
            if (message.sourceChainId != source) revert MixedSources(source, message.sourceChainId);
            bytes32 id = MessageLib.id(message);
            IVerifier verifier;
            // The cheap set check first: a source outside the set costs no Merkle path.
            bytes4 refusal = acceptsFrom(source, message.sender)
                ? _refusal(id, message, proof.count, proof.root, proof.paths[i])
                : SourceNotInDependencySet.selector;
            if (refusal == bytes4(0)) {
                verifier = verifierFor(message.recipient, source);
                if (address(verifier) == address(0)) refusal = NoVerifier.selector;
            }
            if (refusal != bytes4(0)) {
                outcomes[i] = BatchOutcome.Skipped;
                emit MessageSkipped(id, refusal);
                continue;
            }
            if (address(verifier) != address(accepted)) {
                verifier.verifyRoot(source, proof.count, proof.root, proof.verifierData);
                accepted = verifier;
            }
            _execute(id, message, message.gasLimit, verifier);
            outcomes[i] = status[id] == Status.Delivered ? BatchOutcome.Delivered : BatchOutcome.Failed;
        }
    }

    /// @notice Runs the handler of a failed message again. Anyone may call it until the deadline; all gas
    ///         beyond the bookkeeping reserve is forwarded, so a handler that ran out of gas can succeed.
    function retry(Message calldata message) external returns (bytes32 id) {
        id = MessageLib.id(message);
        if (status[id] != Status.Failed) revert MessageNotFailed(id, status[id]);
        if (block.timestamp > message.deadline) revert MessageExpired(id, message.deadline);
        uint256 budget = gasleft();
        uint256 minimum = _requiredGas(message.gasLimit) + RETRY_MARGIN_GAS;
        if (budget < minimum) revert InsufficientGas(budget, minimum);
        _execute(id, message, (budget - RESERVED_GAS - RETRY_MARGIN_GAS) * 63 / 64, provenBy[id]);
        if (status[id] == Status.Delivered) delete provenBy[id];
    }

    /// @notice Closes a message that was not delivered by its deadline (never delivered, or failed and not
    ///         retried in time) and sends an expiry notice to its sender on the source, so the sending app
    ///         can refund. Anyone may call it. The notice goes whether or not the sender has code here:
    ///         a sender deployed only on the source must still hear of it. Senders must only act on notices
    ///         for messages they sent: the notice proves non-delivery here, not that the source sent it.
    ///         A message from a source this Inbox does not accept (see `acceptsFrom`) cannot expire: it
    ///         could never have been delivered here, and its notice would leave the dependency set.
    /// @return noticeId The id of the notice message (zero when the expired message was itself a notice).
    function expire(Message calldata message) external returns (bytes32 noticeId) {
        bytes32 id = MessageLib.id(message);
        if (message.destinationChainId != block.chainid) {
            revert WrongDestination(message.destinationChainId, block.chainid);
        }
        _checkSource(message);
        Status current = status[id];
        if (current == Status.Delivered || current == Status.Expired) revert MessageAlreadyProcessed(id, current);
        if (block.timestamp <= message.deadline) revert MessageNotExpired(id, message.deadline);
        status[id] = Status.Expired;
        // Notices come from the Inbox, which has the same address on every rollup; never notice a notice.
        if (message.sender != address(this)) {
            noticeId = outbox.send(
                message.sourceChainId, message.sender, abi.encode(EXPIRY_NOTICE, id), EXPIRY_NOTICE_GAS, NEVER_EXPIRES
            );
        }
        emit MessageExpiredHere(id, message.sourceChainId, noticeId);
    }

    /// @notice The recipient calling this chooses `verifier` for its messages from `sourceChainId`.
    ///         Zero restores the default verifier.
    function setVerifier(uint64 sourceChainId, IVerifier verifier) external {
        _verifiers[msg.sender][sourceChainId] = verifier;
        emit VerifierSet(msg.sender, sourceChainId, address(verifier));
    }

    /// @notice Changes the verifier used by recipients that chose none.
    function setDefaultVerifier(IVerifier verifier) external onlyOwner {
        defaultVerifier = verifier;
        emit DefaultVerifierSet(address(verifier));
    }

    modifier whileUnsealed() {
        if (dependencySetSealed) revert DependencySetSealed();
        _;
    }

    /// @notice Adds sources to the dependency set (`allowed`) or removes them, until it is sealed.
    function setSourceDependencies(uint64[] calldata chainIds, bool allowed) external onlyOwner whileUnsealed {
        for (uint256 i = 0; i < chainIds.length; i++) {
            sourceInDependencySet[chainIds[i]] = allowed;
            emit SourceDependencyChanged(chainIds[i], allowed);
        }
    }

    /// @notice Turns the sources' dependency set on (only its chains are delivered from) or off, until it
    ///         is sealed.
    function setSourcesRestricted(bool restricted) external onlyOwner whileUnsealed {
        sourcesRestricted = restricted;
        emit SourcesRestrictedSet(restricted);
    }

    /// @notice Fixes the sources' dependency set and `sourcesRestricted` for good (an unrestricted Inbox
    ///         stays open to every source). Once only: a message in flight is never cut off by a later change.
    function sealDependencySet() external onlyOwner whileUnsealed {
        dependencySetSealed = true;
        emit SealedDependencySet(sourcesRestricted);
    }

    /// @notice Whether a message from `sourceChainId` sent by `sender` may be delivered here. Outside the
    ///         set, only an expiry notice (sent by the Inbox, at the same address on every rollup) from a
    ///         chain this rollup may send to passes: it answers a message sent from here.
    function acceptsFrom(uint64 sourceChainId, address sender) public view returns (bool) {
        if (!sourcesRestricted || sourceInDependencySet[sourceChainId]) return true;
        return sender == address(this) && outbox.maySendTo(sourceChainId);
    }

    /// @notice The verifier that proves messages from `sourceChainId` to `recipient`.
    function verifierFor(address recipient, uint64 sourceChainId) public view returns (IVerifier verifier) {
        verifier = _verifiers[recipient][sourceChainId];
        if (address(verifier) == address(0)) verifier = defaultVerifier;
    }

    /// @notice Id of the message whose handler is running; callable by anyone during the handler only.
    function currentMessageId() external view returns (bytes32 id) {
        id = _currentMessageId;
        if (id == bytes32(0)) revert NotHandlingMessage();
    }

    /// @notice The verifier that proved the message whose handler is running (on a retry: the one that
    ///         proved it first), so a recipient can insist on a trust path even if its choice changed.
    function currentVerifier() external view returns (IVerifier verifier) {
        if (_currentMessageId == bytes32(0)) revert NotHandlingMessage();
        verifier = _currentVerifier;
    }

    /// @dev Why `deliver` would refuse `message` before asking its verifier (zero: it would not).
    function _refusal(bytes32 id, Message calldata message, uint256 count, bytes32 root, bytes32[] calldata path)
        private
        view
        returns (bytes4)
    {
        if (message.version != MessageLib.VERSION) return UnsupportedVersion.selector;
        if (message.destinationChainId != block.chainid) return WrongDestination.selector;
        if (block.timestamp > message.deadline) return MessageExpired.selector;
        if (status[id] != Status.None) return MessageAlreadyProcessed.selector;
        if (message.nonce >= count) return NonceNotCovered.selector;
        if (path.length != MerkleTree.DEPTH) return InvalidPathLength.selector;
        if (MerkleTree.computeRoot(id, message.nonce, path) != root) return MessageNotInRoot.selector;
        return bytes4(0);
    }

    function _verify(bytes32 id, Message calldata message, MessageProof calldata proof)
        private
        view
        returns (IVerifier verifier)
    {
        _checkSource(message);
        if (message.nonce >= proof.count) revert NonceNotCovered(message.nonce, proof.count);
        if (proof.path.length != MerkleTree.DEPTH) revert InvalidPathLength(proof.path.length, MerkleTree.DEPTH);
        if (MerkleTree.computeRoot(id, message.nonce, proof.path) != proof.root) revert MessageNotInRoot(id, proof.root);
        verifier = verifierFor(message.recipient, message.sourceChainId);
        if (address(verifier) == address(0)) revert NoVerifier(message.recipient, message.sourceChainId);
        verifier.verifyRoot(message.sourceChainId, proof.count, proof.root, proof.verifierData);
    }

    function _checkSource(Message calldata message) private view {
        if (!acceptsFrom(message.sourceChainId, message.sender)) revert SourceNotInDependencySet(message.sourceChainId);
    }

    /// @dev EIP-150 passes at most 63/64 of what is left to a call; this is what the handler really
    ///      getting `handlerGas` takes, plus our own bookkeeping.
    function _requiredGas(uint256 handlerGas) private pure returns (uint256) {
        return handlerGas + handlerGas / 63 + RESERVED_GAS;
    }

    function _execute(bytes32 id, Message calldata message, uint256 handlerGas, IVerifier verifier) private {
        uint256 required = _requiredGas(handlerGas);
        if (gasleft() < required) revert InsufficientGas(gasleft(), required);

        status[id] = Status.Delivered;
        _currentVerifier = verifier;
        (bool ok, bytes memory reason) = _callHandler(id, message, handlerGas);
        _currentVerifier = IVerifier(address(0));
        if (ok) {
            emit MessageDelivered(id, message.sourceChainId, msg.sender, message.nonce);
        } else {
            status[id] = Status.Failed;
            provenBy[id] = verifier;
            emit MessageFailed(id, message.sourceChainId, msg.sender, reason);
        }
    }

    function _callHandler(bytes32 id, Message calldata message, uint256 handlerGas)
        private
        returns (bool ok, bytes memory reason)
    {
        address recipient = message.recipient;
        if (recipient.code.length == 0) {
            return (false, abi.encodeWithSelector(RecipientHasNoCode.selector, recipient));
        }
        bytes memory data =
            abi.encodeCall(IMessageRecipient.handle, (message.sourceChainId, message.sender, message.body));
        _currentMessageId = id;
        uint256 maxReason = MAX_REASON_BYTES;
        // Copy at most MAX_REASON_BYTES of return data so a hostile recipient cannot exhaust our gas.
        assembly ("memory-safe") {
            ok := call(handlerGas, recipient, 0, add(data, 0x20), mload(data), 0, 0)
            let size := returndatasize()
            if gt(size, maxReason) { size := maxReason }
            reason := mload(0x40)
            mstore(reason, size)
            returndatacopy(add(reason, 0x20), 0, size)
            mstore(0x40, add(add(reason, 0x20), and(add(size, 0x1f), not(0x1f))))
        }
        _currentMessageId = bytes32(0);
        if (ok) reason = "";
    }
}
