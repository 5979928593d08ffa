"""rich tables that never cut a number, and the marks and legends of roles.

A number is never cut or split across rows: number columns do not wrap, labels fold, and in
the edge table a long label gives way to its node's id (#N). A table that cannot fit the
console even so is drawn wider than the console, never with a number cut. rich is imported
only here and in tables.py, and only when a table is drawn.
"""

ROLE_TAGS = {"constant": "(not needed)", "unused": "(unused)"}  # see engine.reverse.node_roles
LABEL_MIN = 4  # the narrowest a folding label column is made before the table grows instead


class Fitted:
    """A table built for the width it is drawn at (`build(width)` returns it), drawn wider
    than that when its numbers and narrowest labels need more: numbers are never cut."""

    def __init__(self, build):
        self.build = build

    def __rich_console__(self, console, options):
        table = self.build(options.max_width)
        need = _least_width(table)
        yield from console.render(table, options.update_width(need) if need > options.max_width else options)


def fitted(table):
    """A table already built, drawn through Fitted."""
    return Fitted(lambda width: table)


def _least_width(table):
    """The narrowest `table` can be drawn without cutting a number: no-wrap columns at their
    widest cell, folding ones at LABEL_MIN (or their widest cell, if less), plus padding and
    the vertical lines."""
    from rich.cells import cell_len

    total = len(table.columns) + 1
    for column in table.columns:
        widest = max([_cell_width(c) for c in column._cells] + [cell_len(str(column.header))])
        total += 2 + (widest if column.no_wrap else min(widest, LABEL_MIN))
    return total


def _cell_width(cell):
    from rich.cells import cell_len

    return cell.cell_len if hasattr(cell, "cell_len") else cell_len(str(cell))


def number_column(table, name):
    table.add_column(name, justify="right", no_wrap=True)


def new_table(*columns, whole_numbers=False):
    """A rich Table with these (name, justify) columns, numbers folding instead of cut; with
    `whole_numbers` the right-justified ones hold numbers that never wrap (draw it through
    Fitted, so that nothing is cut either)."""
    from rich.table import Table

    table = Table(header_style="bold")
    for name, justify in columns:
        if whole_numbers and justify == "right":
            number_column(table, name)
        else:
            table.add_column(name, justify=justify, overflow="fold")
    return table


def quantity_table():
    """The two-column table of a result: `quantity` (folding) and `value` (a whole number)."""
    from rich.table import Table

    table = Table(show_header=True, header_style="bold")
    table.add_column("quantity", overflow="fold")
    number_column(table, "value")
    return table


def title(text):
    """A table's title, a line of its own (a title inside a table wraps at the table's width)."""
    from rich.text import Text

    return Text(text, style="italic")


def labelled(label, role, marks):
    """A label cell: the label, then the role's tag when the row is not on the gradient's path;
    `marks` collects what the legend must explain."""
    from rich.text import Text

    cell = Text(label)
    if "#" in label:
        marks.add("#")
    if role in ROLE_TAGS:
        marks.add(role)
        cell.append(" " + ROLE_TAGS[role], style="dim")
    return cell


_LEGENDS = {
    "node": {
        "#": "#N in a label is node N (the id column), written so when its own label is long.",
        "constant": "(not needed): depends on no input, so the gradient does not need it; its "
                    "adjoint is still the true ∂output/∂node.",
        "unused": "(unused): the output does not depend on it: adjoint 0.",
    },
    "edge": {
        "#": "#N is node N of the Nodes table (a long label gives way to its id; --nodes N shows its row).",
        "constant": "(not needed): out of a node that depends on no input: the gradient does "
                    "not need it; partial and contribution are still the true numbers.",
        "unused": "(unused): into a node the output does not depend on: it contributes 0.",
    },
}


def legend(marks, kind):
    """The legend lines for the marks a table used, in a fixed order."""
    from rich.text import Text

    return [Text(_LEGENDS[kind][m], style="dim") for m in ("#", "constant", "unused") if m in marks]


class Legend:
    """The legend of a table built at draw time (the edge table): its marks are known only
    once it is drawn, which is just before this is."""

    def __init__(self, marks, kind):
        self.marks, self.kind = marks, kind

    def __rich_console__(self, console, options):
        yield from legend(self.marks, self.kind)
