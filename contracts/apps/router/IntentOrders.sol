// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Junction's ERC-7683 order data: what the user gives on the origin and wants on the destination.
/// @param exclusiveFiller Only this filler may fill until `exclusivityDeadline` (zero: anyone at once).
struct JunctionOrder {
    address inputToken;
    uint256 inputAmount;
    uint64 destinationChainId;
    address outputToken;
    uint256 outputAmount;
    address recipient;
    address exclusiveFiller;
    uint32 exclusivityDeadline;
}

/// @notice How the settler that opened an order settles it, fixed when it is opened.
/// @param path The trust path the fill (or not-filled certificate) travels back over ("canonical", …).
/// @param repaymentDelay Seconds the path is expected to take to prove a fill to the origin: the
///        earliest repayment is the fill's time plus this. A refund is possible only after the fill
///        deadline, once the destination certifies the order unfilled.
struct SettlementTerms {
    bytes32 path;
    uint32 repaymentDelay;
}

/// @notice An opened order in full: the ERC-7683 `originData` a filler passes to `fill`. Its keccak256
///         is the order id, so the id names the origin chain, settler, user and nonce: unique everywhere.
struct Order {
    address settler;
    address user;
    uint256 nonce;
    uint256 originChainId;
    uint32 openDeadline;
    uint32 fillDeadline;
    JunctionOrder data;
    SettlementTerms terms;
}

/// @title IntentOrders
/// @notice Encoding, ids and EIP-712 hashing of Junction's intent orders.
library IntentOrders {
    bytes internal constant JUNCTION_ORDER_TYPE =
        "JunctionOrder(address inputToken,uint256 inputAmount,uint64 destinationChainId,address outputToken,uint256 outputAmount,address recipient,address exclusiveFiller,uint32 exclusivityDeadline)";

    /// @notice The ERC-7683 `orderDataType` of Junction orders.
    bytes32 internal constant ORDER_DATA_TYPEHASH = keccak256(JUNCTION_ORDER_TYPE);

    /// @notice The EIP-712 type a user signs for `openFor`: the standard's gasless order with its order
    ///         data typed, so a wallet shows every field.
    bytes32 internal constant GASLESS_ORDER_TYPEHASH = keccak256(
        abi.encodePacked(
            "GaslessCrossChainOrder(address originSettler,address user,uint256 nonce,uint256 originChainId,uint32 openDeadline,uint32 fillDeadline,bytes32 orderDataType,JunctionOrder orderData)",
            JUNCTION_ORDER_TYPE
        )
    );

    function id(Order memory order) internal pure returns (bytes32) {
        return keccak256(abi.encode(order));
    }

    function hashData(JunctionOrder memory data) internal pure returns (bytes32) {
        return keccak256(abi.encode(ORDER_DATA_TYPEHASH, data));
    }

    /// @notice The EIP-712 struct hash of a gasless order (before the domain separator is applied).
    function hashGasless(
        address originSettler,
        address user,
        uint256 nonce,
        uint256 originChainId,
        uint32 openDeadline,
        uint32 fillDeadline,
        JunctionOrder memory data
    ) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                GASLESS_ORDER_TYPEHASH,
                originSettler,
                user,
                nonce,
                originChainId,
                openDeadline,
                fillDeadline,
                ORDER_DATA_TYPEHASH,
                hashData(data)
            )
        );
    }
}
