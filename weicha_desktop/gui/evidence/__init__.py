"""痕迹物证: the register of a case's evidence items and its dialogs."""
