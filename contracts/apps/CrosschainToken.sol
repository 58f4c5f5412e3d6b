// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Bridgeable} from "@openzeppelin/contracts/token/ERC20/extensions/draft-ERC20Bridgeable.sol";

/// @title CrosschainToken
/// @notice An ERC-7802 token deployed at the same address on every rollup; only the TokenBridge (also at
///         one address everywhere) may `crosschainMint` / `crosschainBurn`. Each rollup's share of the
///         supply is minted at genesis and never again, so the sum of the supplies on all rollups plus
///         what is in flight never changes.
contract CrosschainToken is ERC20Bridgeable {
    address public immutable tokenBridge;

    /// @notice Only the TokenBridge mints and burns across chains.
    error NotTokenBridge(address caller);
    /// @notice Genesis holders and amounts must pair up.
    error GenesisMismatch(uint256 holders, uint256 amounts);

    constructor(
        string memory name,
        string memory symbol,
        address tokenBridge_,
        address[] memory holders,
        uint256[] memory amounts
    ) ERC20(name, symbol) {
        tokenBridge = tokenBridge_;
        if (holders.length != amounts.length) revert GenesisMismatch(holders.length, amounts.length);
        for (uint256 i = 0; i < holders.length; i++) {
            if (amounts[i] > 0) _mint(holders[i], amounts[i]);
        }
    }

    function _checkTokenBridge(address caller) internal view override {
        if (caller != tokenBridge) revert NotTokenBridge(caller);
    }
}
