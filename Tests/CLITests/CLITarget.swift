// End-to-end tests of the registry executable live in this target.
