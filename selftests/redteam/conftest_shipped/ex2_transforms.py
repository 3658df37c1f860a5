def apply_transform(M, points):
    raise NotImplementedError()
