// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title DeploymentFactory
/// @notice Creates one list of Junction's contracts for its owner, in order, with CREATE. The factory itself
///         is deployed with CREATE2 through the deterministic deployment proxy, so it has one address on
///         every chain (given its owner and salt), and so does its n-th contract: addresses never depend on
///         the owner's nonce, and contracts that name each other (in either direction) can be planned
///         before the first is created. Once the owner has configured the list, `seal` marks it complete,
///         so a later run verifies it (the init code of every contract, by hash) instead of deploying again.
contract DeploymentFactory {
    /// @notice The only account that may create contracts here or seal the list.
    address public immutable owner;

    /// @notice Set once the list is deployed and configured; nothing can be created afterwards.
    bool public complete;

    /// @notice keccak256 of each created contract's init code, in order (the n-th contract is at the
    ///         factory's CREATE address for nonce n + 1): what a later run verifies its plan against.
    bytes32[] public initCodeHashes;

    /// @notice The caller is not the owner.
    error NotOwner(address caller);
    /// @notice The list is sealed.
    error AlreadySealed();
    /// @notice The init code reverted or left no code.
    error CreationFailed(uint256 index);
    /// @notice The caller meant another contract of the list than the next one: an earlier creation
    ///         failed (or was not sent), and creating this one now would put it at another's address.
    error WrongIndex(uint256 expected, uint256 given);

    /// @notice A contract of the list was created.
    event Created(uint256 indexed index, address indexed deployed);
    /// @notice The list was marked complete.
    event Sealed(uint256 contracts);

    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice Creates the list's `index`-th contract from `initCode` (creation bytecode and arguments);
    ///         `index` must be the next one, so a creation that failed makes the later ones fail too
    ///         instead of moving each onto the address planned for the one before.
    function create(uint256 index, bytes calldata initCode) external returns (address deployed) {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (complete) revert AlreadySealed();
        if (index != initCodeHashes.length) revert WrongIndex(initCodeHashes.length, index);
        bytes memory code = initCode;
        assembly ("memory-safe") {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        if (deployed == address(0) || deployed.code.length == 0) revert CreationFailed(index);
        initCodeHashes.push(keccak256(initCode));
        emit Created(index, deployed);
    }

    /// @notice Marks the list complete: deployed and configured.
    function seal() external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (complete) revert AlreadySealed();
        complete = true;
        emit Sealed(initCodeHashes.length);
    }

    /// @notice Contracts created so far.
    function created() external view returns (uint256) {
        return initCodeHashes.length;
    }
}
