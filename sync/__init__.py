"""The lehoi sync protocol, free of any web framework or database: wire types, bundle building,
change-feed collapsing and mutation decoding. docs/protocol.md is its specification."""
