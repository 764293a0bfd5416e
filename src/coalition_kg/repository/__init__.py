"""The repository on disk: its layout and configuration, load(root) into a Dataset, the shortcut rules, the on-disk
store."""
