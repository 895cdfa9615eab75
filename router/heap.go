package router

// nodeHeap is a 4-ary min-heap of node indexes keyed by their label's
// cost (ties by index, so the order never depends on history), with the
// position of each node kept in its label for decrease-key.
type nodeHeap struct {
	items []int32
	lab   []label
}

func (h *nodeHeap) less(a, b int32) bool {
	la, lb := &h.lab[a], &h.lab[b]
	if la.cost != lb.cost {
		return la.cost < lb.cost
	}
	return a < b
}

func (h *nodeHeap) len() int { return len(h.items) }

func (h *nodeHeap) push(n int32) {
	h.items = append(h.items, n)
	h.lab[n].pos = int32(len(h.items) - 1)
	h.up(len(h.items) - 1)
}

// fix restores the order after node n's cost decreased.
func (h *nodeHeap) fix(n int32) { h.up(int(h.lab[n].pos)) }

func (h *nodeHeap) pop() int32 {
	top := h.items[0]
	last := len(h.items) - 1
	h.items[0] = h.items[last]
	h.lab[h.items[0]].pos = 0
	h.items = h.items[:last]
	if last > 0 {
		h.down(0)
	}
	h.lab[top].pos = -1
	return top
}

func (h *nodeHeap) up(i int) {
	n := h.items[i]
	for i > 0 {
		p := (i - 1) / 4
		if !h.less(n, h.items[p]) {
			break
		}
		h.items[i] = h.items[p]
		h.lab[h.items[i]].pos = int32(i)
		i = p
	}
	h.items[i] = n
	h.lab[n].pos = int32(i)
}

func (h *nodeHeap) down(i int) {
	n := h.items[i]
	size := len(h.items)
	for {
		first := 4*i + 1
		if first >= size {
			break
		}
		best := first
		for c := first + 1; c < first+4 && c < size; c++ {
			if h.less(h.items[c], h.items[best]) {
				best = c
			}
		}
		if !h.less(h.items[best], n) {
			break
		}
		h.items[i] = h.items[best]
		h.lab[h.items[i]].pos = int32(i)
		i = best
	}
	h.items[i] = n
	h.lab[n].pos = int32(i)
}
