// Placeholder so the target is not empty; replaced by the module's real code.
