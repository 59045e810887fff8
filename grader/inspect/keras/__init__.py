"""The Keras inspector: Keras models exported by the kernel, rebuilt in safe mode or by the judge."""
