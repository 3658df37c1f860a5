def apply_transform(M, points:
    return M
