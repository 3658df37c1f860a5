"""Run the grader on this folder (a student's convenience script)."""
if __name__ == "__main__":
    import sys
    from autograder import cli
    sys.exit(cli.main(["."]))
