// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Bridgeable} from "@openzeppelin/contracts/token/ERC20/extensions/draft-ERC20Bridgeable.sol";

/// @title CrosschainToken
/// @notice An ERC-7802 token deployed at the same address on every rollup; only the TokenBridge (also at
///         one address everywhere) may `crosschainMint` / `crosschainBurn`. The whole supply is minted at
///         genesis on one rollup, so the sum of the supplies on all rollups plus what is in flight
///         never changes.
contract CrosschainToken is ERC20Bridgeable {
    address public immutable tokenBridge;

    /// @notice Only the TokenBridge mints and burns across chains.
    error NotTokenBridge(address caller);

    constructor(string memory name, string memory symbol, address tokenBridge_, address holder, uint256 genesisSupply)
        ERC20(name, symbol)
    {
        tokenBridge = tokenBridge_;
        if (genesisSupply > 0) _mint(holder, genesisSupply);
    }

    function _checkTokenBridge(address caller) internal view override {
        if (caller != tokenBridge) revert NotTokenBridge(caller);
    }
}
