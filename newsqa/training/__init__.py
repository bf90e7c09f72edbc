"""Reader training and evaluation (run by hand, never by CI): SQuAD loaders, features, loop, metric."""
