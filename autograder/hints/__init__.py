"""What a failed check says of where the student's result differs from the reference's, in
words a student acts on: one module per kind of result (layers, losses, noise). No torch, no
student code: the judges call them with the raw values the producers returned."""
