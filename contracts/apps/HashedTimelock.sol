// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafePayments} from "./SafePayments.sol";

/// @title HashedTimelock
/// @notice Hash-time-locked transfers of native ETH or an ERC-20, the building block of cross-rollup
///         atomic swaps: funds locked for a recipient are released to it with the preimage of the
///         hashlock before the deadline, or returned to the sender after it. The same contract is
///         deployed on every rollup; a swap is two locks with one hashlock, the initiator's deadline
///         later than the responder's by a safety margin.
/// @dev The hashlock is sha256(preimage), as in Bitcoin-style HTLCs, so swaps can span other chains too.
contract HashedTimelock is SafePayments {
    using SafeERC20 for IERC20;

    enum State {
        None,
        Locked,
        Claimed,
        Refunded
    }

    struct Lock {
        address sender;
        address recipient;
        address token;
        uint256 amount;
        bytes32 hashlock;
        uint64 deadline;
        State state;
    }

    mapping(bytes32 lockId => Lock) private _locks;
    uint256 private _nonce;

    event Locked(
        bytes32 indexed lockId,
        address indexed sender,
        address indexed recipient,
        address token,
        uint256 amount,
        bytes32 hashlock,
        uint64 deadline
    );
    event Claimed(bytes32 indexed lockId, bytes32 indexed hashlock, bytes32 preimage);
    event Refunded(bytes32 indexed lockId);

    /// @notice Nothing to lock.
    error ZeroAmount();
    /// @notice The recipient is the zero address.
    error InvalidRecipient();
    /// @notice The deadline is not in the future.
    error DeadlineInPast(uint64 deadline, uint256 nowTimestamp);
    /// @notice Native value does not match: `amount` for ETH locks, zero for token locks.
    error WrongValue(uint256 sent, uint256 expected);
    /// @notice No lock with this id.
    error LockNotFound(bytes32 lockId);
    /// @notice The lock was already claimed or refunded.
    error LockSettled(bytes32 lockId, State state);
    /// @notice sha256(preimage) is not the hashlock.
    error InvalidPreimage(bytes32 lockId);
    /// @notice The deadline passed: the lock can only be refunded.
    error LockExpired(bytes32 lockId, uint64 deadline);
    /// @notice The deadline has not passed: the lock can only be claimed.
    error LockNotExpired(bytes32 lockId, uint64 deadline);

    /// @notice Locks `amount` of `token` (zero address: native ETH, sent as value) for `recipient`.
    /// @return lockId Unique id of the lock.
    function lock(address recipient, address token, uint256 amount, bytes32 hashlock, uint64 deadline)
        external
        payable
        returns (bytes32 lockId)
    {
        if (amount == 0) revert ZeroAmount();
        if (recipient == address(0)) revert InvalidRecipient();
        if (deadline <= block.timestamp) revert DeadlineInPast(deadline, block.timestamp);
        uint256 expectedValue = token == address(0) ? amount : 0;
        if (msg.value != expectedValue) revert WrongValue(msg.value, expectedValue);
        lockId = keccak256(abi.encode(block.chainid, address(this), _nonce++, msg.sender, recipient, hashlock));
        _locks[lockId] = Lock(msg.sender, recipient, token, amount, hashlock, deadline, State.Locked);
        if (token != address(0)) _pullExact(IERC20(token), amount);
        emit Locked(lockId, msg.sender, recipient, token, amount, hashlock, deadline);
    }

    /// @notice Releases the lock to its recipient; anyone may call it with the preimage.
    function claim(bytes32 lockId, bytes32 preimage) external {
        Lock storage entry = _open(lockId);
        if (sha256(abi.encodePacked(preimage)) != entry.hashlock) revert InvalidPreimage(lockId);
        if (block.timestamp >= entry.deadline) revert LockExpired(lockId, entry.deadline);
        entry.state = State.Claimed;
        emit Claimed(lockId, entry.hashlock, preimage);
        _pay(entry.token, entry.recipient, entry.amount);
    }

    /// @notice Returns the lock to its sender after the deadline; anyone may call it.
    function refund(bytes32 lockId) external {
        Lock storage entry = _open(lockId);
        if (block.timestamp < entry.deadline) revert LockNotExpired(lockId, entry.deadline);
        entry.state = State.Refunded;
        emit Refunded(lockId);
        _pay(entry.token, entry.sender, entry.amount);
    }

    /// @notice A lock as stored.
    function getLock(bytes32 lockId) external view returns (Lock memory) {
        return _locks[lockId];
    }

    function _open(bytes32 lockId) private view returns (Lock storage entry) {
        entry = _locks[lockId];
        if (entry.state == State.None) revert LockNotFound(lockId);
        if (entry.state != State.Locked) revert LockSettled(lockId, entry.state);
    }

    function _pay(address token, address to, uint256 amount) private {
        if (token != address(0)) {
            IERC20(token).safeTransfer(to, amount);
            return;
        }
        // A receiver that refuses ETH would otherwise keep the lock open forever: it is owed instead.
        _sendOrOwe(to, amount);
    }
}
